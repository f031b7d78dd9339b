"""In-process python-heatclient (Debian python3-heatclient) event listing, one call per stdin line.

usage: /usr/bin/python3 heatclient_list.py ENDPOINT STACK NESTED_DEPTH
For each line read on stdin, lists the stack's events once and prints one JSON line
{"seconds": <wall time of the call>, "ids": [...]}. The driver interleaves these calls with
stackfeed's, so both see the same server load.
"""
import json
import sys
import time

from heatclient import client as heat_client

endpoint, stack, nested = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = heat_client.Client('1', endpoint=endpoint, token='noauth-bench-token')
for _line in sys.stdin:
    t = time.perf_counter()
    kwargs = {'sort_dir': 'asc'}
    if nested:
        kwargs['nested_depth'] = nested
    evs = c.events.list(stack, **kwargs)
    seconds = time.perf_counter() - t
    print(json.dumps({'seconds': seconds, 'ids': [e.id for e in evs]}), flush=True)
