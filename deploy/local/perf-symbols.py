#!/usr/bin/env python3
"""Top self-time symbols of some processes in a `perf record` file, .NET JIT frames named from /tmp/perf-PID.map.

perf does not resolve the JIT's frames itself here: with W^X, .NET maps its code twice (`memfd:doublemapper`), and
perf shows those addresses as [unknown] although the services' perf maps hold them. This resolves each sample's
address against the map of its process.

    DOTNET_PerfMapEnabled=1 ./etl bench --rows 10000000 --runs 1      # the services write /tmp/perf-PID.map
    perf record -a -g -F 299 -o /tmp/perf.data -- sleep 30            # during the run to look at
    perf script -i /tmp/perf.data -F pid,comm -G | sort | uniq -c | sort -rn | head   # samples per process
    deploy/local/perf-symbols.py /tmp/perf.data 12345,12346 30        # their 30 costliest symbols

(docs/PERFORMANCE.md, round 6, was made this way.)
"""
import bisect
import collections
import os
import re
import subprocess
import sys


def load_map(pid):
    entries = []
    path = f"/tmp/perf-{pid}.map"
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                parts = line.rstrip("\n").split(" ", 2)
                if len(parts) == 3:
                    entries.append((int(parts[0], 16), int(parts[1], 16), parts[2]))
    entries.sort()
    return entries, [e[0] for e in entries]


def short(name):
    name = re.sub(r"\[(System\.[A-Za-z.]*|[A-Za-z.]+)\] ", "", name)
    return re.sub(r"valuetype |class |instance |System\.", "", name)[:160]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    data, pids = sys.argv[1], sys.argv[2].split(",")
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    maps = {pid: load_map(pid) for pid in pids}
    script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,ip,sym,dso", "-G"],
                            capture_output=True, text=True, check=True).stdout
    counts = {pid: collections.Counter() for pid in pids}
    for line in script.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 2 or parts[0] not in counts:
            continue
        pid, address = parts[0], int(parts[1], 16)
        name = parts[2] if len(parts) > 2 else ""
        if "[unknown]" in name:
            entries, starts = maps[pid]
            i = bisect.bisect_right(starts, address) - 1
            if i >= 0 and address < entries[i][0] + entries[i][1]:
                name = short(entries[i][2])
        counts[pid][name] += 1
    for pid in pids:
        total = sum(counts[pid].values()) or 1
        print(f"== {pid}: {total} samples")
        for name, count in counts[pid].most_common(top):
            print(f"{count:6d} {100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
