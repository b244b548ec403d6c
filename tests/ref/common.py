"""Helpers shared by the reference scripts in tests/ref/ (run from tests/)."""
import math

FIX = 'fixtures/'
EXP = 'fixtures/expected/'


def g(x):
    """number as the expected tables hold it: at most 15 significant digits,
    as znflow writes computed values (R's convention, man znr(5)): the
    shortest repr of the %.15g value"""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ''
    if float(x) == int(x) and abs(x) < 2**53:
        return str(int(x))
    return repr(float('%.15g' % float(x)))


def g_in(x):
    """number as an input fixture holds it (a measured value): repr, the
    shortest exact round trip"""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ''
    if float(x) == int(x) and abs(x) < 2**53:
        return str(int(x))
    return repr(float(x))


def write_tsv(path, header, rows):
    with open(path, 'w') as f:
        f.write('\t'.join(header) + '\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')
