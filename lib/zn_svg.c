/* zn_svg.c - SVG primitives for the report's figures: escaping, a plot
 * frame with axes (zn_axis), markers, polylines, figures and colours.
 * Nothing here knows about zinc. */
#include "zn.h"

#include <math.h>
#include <string.h>

/* Okabe-Ito colours (distinct with colour blindness) with a marker shape
 * and a dash pattern per series, so that greyscale prints keep them apart */
const char *const zn_svg_colour[ZN_SVG_NCOL] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                "#E69F00", "#56B4E9", "#000000"};
const char *const zn_svg_dash[ZN_SVG_NCOL] = {"", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4"};

void zn_svg_esc(zn_buf *b, const char *s)
{
    for (; *s; s++) switch (*s) {
        case '&': zn_buf_adds(b, "&amp;"); break;
        case '<': zn_buf_adds(b, "&lt;"); break;
        case '>': zn_buf_adds(b, "&gt;"); break;
        case '"': zn_buf_adds(b, "&quot;"); break;
        default: zn_buf_addc(b, *s);
        }
}

void zn_svg_open(zn_buf *b, int w, int h, const char *label)
{
    zn_buf_addf(b,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "role=\"img\" aria-label=\"",
                w, h, w, h);
    zn_svg_esc(b, label);
    zn_buf_adds(b, "\">\n");
}

void zn_svg_close(zn_buf *b) { zn_buf_adds(b, "</svg>\n"); }

double zn_plot_x(const zn_plot *p, double x) { return p->L + zn_axis_frac(&p->x, x) * p->W; }
double zn_plot_y(const zn_plot *p, double y) { return p->T + (1 - zn_axis_frac(&p->y, y)) * p->H; }

/* a pixel coordinate kept near the frame (values far outside are clipped
 * there: an SVG number of 1e300 is legal but useless) */
static double clampy(const zn_plot *p, double yy)
{
    if (!(yy > p->T - 2)) return p->T - 2;
    if (yy > p->T + p->H + 2) return p->T + p->H + 2;
    return yy;
}

void zn_plot_init(zn_plot *p, zn_buf *b, double L, double T, double W, double H)
{
    memset(p, 0, sizeof *p);
    p->b = b;
    p->L = L;
    p->T = T;
    p->W = W;
    p->H = H;
    zn_axis_linear(&p->x, 0, 1, 8);
    zn_axis_linear(&p->y, 0, 1, 8);
}

void zn_svg_axes(zn_plot *p, const char *title, const char *xlab, const char *ylab, int xticks)
{
    zn_buf *b = p->b;
    char lab[64];
    zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", p->L,
                p->T, p->W, p->H);
    for (size_t i = 0; i < p->y.n; i++) {
        double yy = zn_plot_y(p, p->y.t[i]);
        zn_axis_label(&p->y, p->y.t[i], lab, sizeof lab);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", p->L, p->L + p->W, yy,
                    yy);
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tk\">%s</text>\n", p->L - 4, yy + 4, lab);
    }
    for (size_t i = 0; xticks && i < p->x.n; i++) {
        double xx = zn_plot_x(p, p->x.t[i]);
        zn_axis_label(&p->x, p->x.t[i], lab, sizeof lab);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>", xx, xx, p->T + p->H,
                    p->T + p->H + 4);
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">%s</text>\n", xx, p->T + p->H + 16,
                    lab);
    }
    if (title) {
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"ti\">", p->L, p->T - 8);
        zn_svg_esc(b, title);
        zn_buf_adds(b, "</text>\n");
    }
    if (xlab) {
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"al\">", p->L + p->W / 2,
                    p->T + p->H + 32);
        zn_svg_esc(b, xlab);
        zn_buf_adds(b, "</text>\n");
    }
    if (ylab) {
        zn_buf_addf(b, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\" class=\"al\">",
                    p->L - 50, p->T + p->H / 2);
        zn_svg_esc(b, ylab);
        zn_buf_adds(b, "</text>\n");
    }
}

void zn_svg_marker(zn_buf *b, int k, double x, double y, double r, int filled)
{
    zn_svg_marker_c(b, zn_svg_colour[k % ZN_SVG_NCOL], k % 4, x, y, r, filled ? 1 : 0);
}

void zn_svg_marker_c(zn_buf *b, const char *c, int shape, double x, double y, double r, double fill_opacity)
{
    if (!isfinite(x) || !isfinite(y)) return;
    char fill[80];
    if (fill_opacity >= 1) snprintf(fill, sizeof fill, "fill=\"%s\"", c);
    else if (fill_opacity > 0) snprintf(fill, sizeof fill, "fill=\"%s\" fill-opacity=\"%.2f\"", c, fill_opacity);
    else snprintf(fill, sizeof fill, "fill=\"#fff\"");
    switch (shape % 4) {
    case 0: zn_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s stroke=\"%s\"/>", x, y, r, fill, c); break;
    case 1:
        zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" %s stroke=\"%s\"/>", x - r, y - r,
                    2 * r, 2 * r, fill, c);
        break;
    case 2:
        zn_buf_addf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" %s stroke=\"%s\"/>", x, y - 1.2 * r, x + 1.1 * r,
                    y + 0.8 * r, x - 1.1 * r, y + 0.8 * r, fill, c);
        break;
    default:
        zn_buf_addf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" %s stroke=\"%s\"/>", x, y - 1.3 * r,
                    x + 1.3 * r, y, x, y + 1.3 * r, x - 1.3 * r, y, fill, c);
    }
}

void zn_svg_polyline(const zn_plot *p, const double *x, const double *y, size_t n, const char *style)
{
    zn_buf *b = p->b;
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        double xx = isfinite(x[i]) ? zn_plot_x(p, x[i]) : NAN, yy = isfinite(y[i]) ? zn_plot_y(p, y[i]) : NAN;
        if (!isfinite(xx) || isnan(yy)) {
            if (open) zn_buf_addf(b, "\" %s/>\n", style);
            open = 0;
            continue;
        }
        zn_buf_addf(b, open ? " %.1f,%.1f" : "<polyline fill=\"none\" points=\"%.1f,%.1f", xx, clampy(p, yy));
        open = 1;
    }
    if (open) zn_buf_addf(b, "\" %s/>\n", style);
}

void zn_svg_hline(const zn_plot *p, double y, const char *style)
{
    double yy = zn_plot_y(p, y);
    if (!(yy >= p->T && yy <= p->T + p->H)) return;
    zn_buf_addf(p->b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" %s/>", p->L, p->L + p->W, yy, yy, style);
}

void zn_svg_figure_open(zn_buf *b, const char *id)
{
    zn_buf_adds(b, "<figure id=\"");
    zn_svg_esc(b, id);
    zn_buf_adds(b, "\">\n");
}

void zn_svg_figure_close(zn_buf *b, const char *caption)
{
    zn_buf_adds(b, "<figcaption>");
    zn_svg_esc(b, caption);
    zn_buf_adds(b, "</figcaption></figure>\n");
}

void zn_svg_viridis(double f, char out[8])
{
    static const unsigned char v[9][3] = {{68, 1, 84},    {71, 45, 123}, {59, 82, 139},  {44, 114, 142}, {33, 145, 140},
                                          {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
    if (!(f >= 0)) f = 0;
    if (f > 1) f = 1;
    double x = f * 8;
    int i = (int)x;
    if (i > 7) i = 7;
    double u = x - i;
    snprintf(out, 8, "#%02x%02x%02x", (int)(v[i][0] + u * (v[i + 1][0] - v[i][0]) + 0.5),
             (int)(v[i][1] + u * (v[i + 1][1] - v[i][1]) + 0.5), (int)(v[i][2] + u * (v[i + 1][2] - v[i][2]) + 0.5));
}
