#!/usr/bin/env python3
"""Every 20 ms, the CPU each hockney rank last ran on: one JSON line per sample,
{"t": seconds, "cpu": {rank: cpu}}; ranks from OMPI_COMM_WORLD_RANK in /proc/PID/environ.
Runs until killed. Usage: cpu_sampler.py OUT.jsonl"""
import json
import os
import sys
import time


def ranks():
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "hockney":
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
            rank = env.get(b"OMPI_COMM_WORLD_RANK")
            if rank is not None:
                found[int(pid)] = int(rank)
        except OSError:
            continue
    return found


def main():
    out = open(sys.argv[1], "w")
    pids = {}
    start = time.monotonic()
    while True:
        if len(pids) < 2:
            pids = ranks()
        cpu = {}
        for pid, rank in list(pids.items()):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    # comm may hold spaces: split after its closing parenthesis
                    fields = f.read().rsplit(")", 1)[1].split()
                cpu[rank] = int(fields[36])  # field 39 of stat, counted from pid = 1
            except (OSError, IndexError):
                pids.pop(pid, None)
        if cpu:
            out.write(json.dumps({"t": round(time.monotonic() - start, 3), "cpu": cpu}) + "\n")
            out.flush()
        time.sleep(0.02)


if __name__ == "__main__":
    main()
