#!/usr/bin/python3
"""Shapiro-Wilk W and p in double precision, written from Royston (1995,
AS R94) independently of lib/zn_swilk.c: W = (sum a_i x_(i))^2 / sum (x -
mean)^2 directly (not the correlation form the C code uses), with the
coefficients' polynomial corrections, and p from Royston's normalising
transformations.  scipy 1.10's stats.shapiro runs the same algorithm in
single precision (Fortran REAL): near W = 1 with n = 5000 it is off by 2e-6
in W and 0.006 in p, so it cannot be the reference there.
    ref/shapiro_ref.py FILE   ->  "W p" (17 digits)"""
import sys
import numpy as np
from scipy.stats import norm


def poly(c, x):
    return sum(ci * x ** i for i, ci in enumerate(c))


def shapiro(x):
    x = np.sort(np.asarray(x, float)); n = len(x); nn2 = n // 2
    if n == 3:
        a = np.array([np.sqrt(0.5)])
    else:
        m = norm.ppf((np.arange(1, nn2 + 1) - 0.375) / (n + 0.25))   # smallest first (negative)
        summ2 = 2 * np.sum(m ** 2); ssumm2 = np.sqrt(summ2); rsn = 1 / np.sqrt(n)
        a1 = poly([0, .221157, -.147981, -2.07119, 4.434685, -2.706056], rsn) - m[0] / ssumm2
        if n > 5:
            a2 = -m[1] / ssumm2 + poly([0, .042981, -.293762, -1.752461, 5.682633, -3.582633], rsn)
            fac = np.sqrt((summ2 - 2 * m[0] ** 2 - 2 * m[1] ** 2) / (1 - 2 * a1 ** 2 - 2 * a2 ** 2))
            a = -m / fac; a[0] = a1; a[1] = a2
        else:
            fac = np.sqrt((summ2 - 2 * m[0] ** 2) / (1 - 2 * a1 ** 2))
            a = -m / fac; a[0] = a1
    coef = np.zeros(n); coef[n - nn2:] = a[::-1]; coef[:nn2] = -a   # largest values get +a
    W = np.dot(coef, x) ** 2 / np.sum((x - x.mean()) ** 2)
    if n == 3:
        return W, max(0.0, 6 / np.pi * (np.arcsin(np.sqrt(W)) - np.arcsin(np.sqrt(0.75))))
    y = np.log1p(-W)
    if n <= 11:
        gamma = poly([-2.273, .459], n)
        if y >= gamma:
            return W, 1e-99
        y = -np.log(gamma - y); mu = poly([.544, -.39978, .025054, -6.714e-4], n)
        sigma = np.exp(poly([1.3822, -.77857, .062767, -.0020322], n))
    else:
        ln = np.log(n); mu = poly([-1.5861, -.31082, -.083751, .0038915], ln)
        sigma = np.exp(poly([-.4803, -.082676, .0030302], ln))
    return W, norm.sf(y, mu, sigma)


if __name__ == '__main__':
    W, p = shapiro(np.loadtxt(sys.argv[1], ndmin=1))
    print('%.17g %.17g' % (W, p))
