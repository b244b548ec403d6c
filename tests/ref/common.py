"""Helpers shared by the reference scripts in tests/ref/ (run from tests/)."""
import math

FIX = 'fixtures/'
EXP = 'fixtures/expected/'


def g(x):
    """number as the expected tables hold it: repr (shortest round trip)"""
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
