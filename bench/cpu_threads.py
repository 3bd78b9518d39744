"""Per-thread CPU seconds of a running process, for bench/cpu.sh where perf cannot run.

Usage: python3 cpu_threads.py PID  -- polls /proc/PID/task/*/stat every 50 ms until the process ends, then prints
"seconds<TAB>thread name<TAB>thread-total" per thread name (a thread's last reading counts: threads that end
early keep theirs). The poller is light (one read per thread per poll) so it barely competes for the cores.
"""
import os
import sys
import time

pid = sys.argv[1]
hz = os.sysconf("SC_CLK_TCK")
last = {}  # tid -> (name, ticks)
while os.path.exists("/proc/%s" % pid):
    try:
        tids = os.listdir("/proc/%s/task" % pid)
    except OSError:
        break
    for tid in tids:
        try:
            with open("/proc/%s/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        last[tid] = (name, int(fields[11]) + int(fields[12]))
    time.sleep(0.05)
totals = {}
for name, ticks in last.values():
    totals[name] = totals.get(name, 0) + ticks / hz
for name, secs in sorted(totals.items(), key=lambda kv: -kv[1]):
    print("%.4f\t%s\tthread-total" % (secs, name))
