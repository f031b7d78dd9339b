"""In-process python-heatclient (Debian python3-heatclient) event listing, timed per call.

usage: /usr/bin/python3 heatclient_list.py ENDPOINT STACK_ID NESTED_DEPTH RUNS
prints JSON {"times": [seconds...], "ids": [...]} (ids of the last run, as returned).
"""
import json
import sys
import time

from heatclient import client as heat_client

endpoint, stack, nested, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = heat_client.Client('1', endpoint=endpoint, token='noauth-bench-token')
times = []
ids = []
for _ in range(runs):
    t = time.perf_counter()
    kwargs = {'sort_dir': 'asc'}
    if nested:
        kwargs['nested_depth'] = nested
    evs = c.events.list(stack, **kwargs)
    times.append(time.perf_counter() - t)
    ids = [e.id for e in evs]
print(json.dumps({'times': times, 'ids': ids}))
