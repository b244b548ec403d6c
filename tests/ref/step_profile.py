#!/usr/bin/python3
"""The exact profile of ec50 for a 4pl (unweighted) whose hill runs off:
with ec50 and hill held, bottom and top are linear, so the profile over
ec50 is min over hill (a fine grid in log hill, then a bounded scalar
minimisation) of a linear least-squares fit; its crossings of
SSmin (1 + F(0.95; 1, n - 4)/(n - 4)) by brentq.  Independent of
zn-mm-fit's Levenberg-Marquardt refits.

    step_profile.py FILE   (two columns: x, y)  -> SSmin, threshold, limits
"""
import numpy as np, sys
from scipy.stats import f as F
from scipy.optimize import minimize_scalar, brentq
d=np.loadtxt(sys.argv[1]); x,y=d[:,0],d[:,1]
def ss_vh(v,lh):
    h=np.exp(lh)
    s=np.where(x>0, 1/(1+np.exp(np.clip(h*(np.log(v)-np.log(np.where(x>0,x,1))),-700,700))), 0.0)
    A=np.column_stack([1-s, s]); c=np.linalg.lstsq(A,y,rcond=None)[0]
    r=y-A@c; return (r*r).sum()
G=np.linspace(np.log(0.3),np.log(1e5),2000)
def prof(v):
    vals=[ss_vh(v,g) for g in G]; i=int(np.argmin(vals))
    lo,hi=G[max(i-1,0)],G[min(i+1,len(G)-1)]
    if hi>lo:
        r=minimize_scalar(lambda g: ss_vh(v,g), bounds=(lo,hi), method='bounded', options={'xatol':1e-10})
        return min(r.fun, vals[i])
    return vals[i]
# the infimum: the step at x = 0.1 with the 0.1 points at their own level
V=np.exp(np.linspace(np.log(0.05),np.log(0.2),200)); ssmin=min(prof(v) for v in V)
# refine: the limit as v -> 0.1+ (points at 0.1 free): the three-level fit
df=len(y)-4; thr=ssmin*(1+F.ppf(0.95,1,df)/df)
lo=brentq(lambda v: prof(v)-thr, 0.02, 0.09, xtol=1e-12); hi=brentq(lambda v: prof(v)-thr, 0.12, 0.3, xtol=1e-12)
print('ssmin %.9f thr %.9f  ec50 interval %.9g %.9g' % (ssmin, thr, lo, hi))
