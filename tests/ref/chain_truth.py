"""Shared by the bias scripts (er_bias.py, fz_bias.py): the generator's
per-cell truth and the chain's columns through zn-view (on PATH)."""
import csv
import subprocess


def read_truth(path):
    """examples/truth/*_cells.tsv as {(dish, cell): row}"""
    with open(path) as f:
        return {(r['dish'], r['cell']): r for r in csv.DictReader(f, delimiter='\t')}


def view(path, cols):
    """the columns cols of a ZNR file as a list of dicts"""
    p = subprocess.run(['zn-view', '--tsv', '-c', ','.join(cols), path], capture_output=True, text=True, check=True)
    return list(csv.DictReader(p.stdout.splitlines(), delimiter='\t'))
