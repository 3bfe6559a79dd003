"""Turns the JSON summaries of one run of tests/bench/run_ocpp_bench.sh into Markdown tables.

    python3 tests/bench/summarize.py target/bench/ocpp-<timestamp>

Reads <server>-cpu.json, <server>-memory.json and <server>-traffic.json for every server that has
them, and machine.txt. Ratios are against Ampwise in the same run; targets are the issue's.
"""

import json
import sys
from pathlib import Path

SERVERS = [
    ("ampwise", "Ampwise (ampwised)"),
    ("python", "Python `ocpp` (websockets)"),
    ("node", "Node `ocpp-rpc` (strict)"),
    ("echo", "bare tokio-tungstenite, no parsing"),
]
CPU_TARGET_US = 12.0
MEMORY_TARGET_KIB = 16.0
P99_TARGET_US = 1000.0


def load(folder, server, run):
    path = folder / f"{server}-{run}.json"
    if not path.exists():
        return None
    with path.open() as file:
        return json.load(file)


def phase(report, name):
    if report is None:
        return None
    return next((p for p in report["phases"] if p.get("phase") == name), None)


def num(value, digits=1):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def lat(micros):
    """A latency: µs below a millisecond, ms above."""
    if micros is None:
        return "–"
    if micros >= 1000:
        return f"{micros / 1000:,.1f} ms"
    return f"{micros:,.0f} µs"


def pct(share):
    return None if share is None else share * 100


def latency(load_phase, key):
    if load_phase is None or load_phase.get("latency") is None:
        return None
    return load_phase["latency"][key]


def errors(*reports):
    total = 0
    for report in reports:
        if report is None:
            continue
        total += report["connect"]["failures"]["total"] + report["lost_outside_phases"]["total"]
        total += sum(p.get("failures", {}).get("total", 0) for p in report["phases"])
        total += report["connect"]["attempted"] - report["connect"]["connected"]
    return total


def verdict(value, limit):
    if value is None:
        return "not measured"
    return "met" if value <= limit else f"missed ({value / limit:.1f}× the target)"


def main():
    folder = Path(sys.argv[1])
    rows = []
    for server, label in SERVERS:
        cpu = load(folder, server, "cpu")
        memory = load(folder, server, "memory")
        traffic = load(folder, server, "traffic")
        if cpu is None and memory is None and traffic is None:
            continue
        rows.append((server, label, cpu, memory, traffic))
    if not rows:
        sys.exit(f"summarize.py: no results in {folder}")

    machine = folder / "machine.txt"
    if machine.exists():
        print("```text")
        print(machine.read_text().rstrip())
        print("```")
        print()

    count_cpu = next((r[2]["count"] for r in rows if r[2]), None)
    print(f"**Throughput, CPU and latency** ({count_cpu} charge points)")
    print()
    print(
        "| server | closed loop msg/s | closed-loop p50 / p99 | server CPU/msg, closed loop "
        "| server core used | generator core used | fixed rate achieved | fixed-rate p50 / p99 / max "
        "| server CPU/msg, fixed rate | other processes, closed / fixed | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for server, label, cpu, memory, traffic in rows:
        closed, rate = phase(cpu, "closed"), phase(cpu, "rate")
        print(
            f"| {label} "
            f"| {num(closed and closed['messages_per_s'], 0)} "
            f"| {lat(latency(closed, 'p50_us'))} / {lat(latency(closed, 'p99_us'))} "
            f"| {num(closed and closed['server_cpu_us_per_message'])} µs "
            f"| {num(pct(closed and closed['server_cpu_share']), 0)} % "
            f"| {num(pct(closed and closed['generator_cpu_share']), 0)} % "
            f"| {num(rate and rate['messages_per_s'], 0)} / {num(rate and rate['target_rate'], 0)} msg/s "
            f"| {lat(latency(rate, 'p50_us'))} / {lat(latency(rate, 'p99_us'))} / "
            f"{lat(latency(rate, 'max_us'))} "
            f"| {num(rate and rate['server_cpu_us_per_message'])} µs "
            f"| {num(pct(closed and closed.get('other_cpu_share')), 0)} / "
            f"{num(pct(rate and rate.get('other_cpu_share')), 0)} % "
            f"| {errors(cpu)} |"
        )
    print()

    count_mem = next((r[3]["count"] for r in rows if r[3]), None)
    print(f"**Connecting and holding** ({count_mem} charge points)")
    print()
    print(
        "| server | connected | connect time (all) | per charge point p50 / p99 "
        "| server CPU per connection | RSS before → held | memory per connection, idle "
        "| idle server core used | memory per connection after a closed loop | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for server, label, cpu, memory, traffic in rows:
        connect = memory and memory["connect"]
        hold = phase(memory, "hold")
        after = phase(traffic, "hold")
        before = memory and memory["server_memory_before_connect"]
        held = hold and hold["server_memory_at_end"]
        connect_latency = connect and connect["latency"]
        print(
            f"| {label} "
            f"| {num(connect and connect['connected'], 0)} / {num(connect and connect['attempted'], 0)} "
            f"| {num(connect and connect['seconds'], 2)} s "
            f"| {lat(connect_latency and connect_latency['p50_us'])} / "
            f"{lat(connect_latency and connect_latency['p99_us'])} "
            f"| {num(connect and connect['server_cpu_us_per_connection'], 0)} µs "
            f"| {num(before and before['rss_kib'] / 1024)} → {num(held and held['rss_kib'] / 1024)} MiB "
            f"| {num(hold and hold['server_rss_per_connection_kib'])} KiB "
            f"| {num(pct(hold and hold['server_cpu_share']))} % "
            f"| {num(after and after['server_rss_per_connection_kib'])} KiB "
            f"| {errors(memory, traffic)} |"
        )
    print()

    reference = next((r for r in rows if r[0] == "ampwise"), None)
    if reference is not None and len(rows) > 1:
        ref_closed = phase(reference[2], "closed")
        ref_hold = phase(reference[3], "hold")
        print("**Ratios to Ampwise in this run** (higher: Ampwise does better)")
        print()
        print("| server | CPU per message | closed-loop msg/s | memory per connection, idle |")
        print("| --- | ---: | ---: | ---: |")
        for server, label, cpu, memory, traffic in rows:
            if server == "ampwise":
                continue
            closed, hold = phase(cpu, "closed"), phase(memory, "hold")

            def ratio(mine, theirs, invert=False):
                if not mine or not theirs:
                    return "–"
                return f"{(mine / theirs if invert else theirs / mine):.2f}×"

            print(
                f"| {label} "
                f"| {ratio(ref_closed and ref_closed['server_cpu_us_per_message'], closed and closed['server_cpu_us_per_message'])} "
                f"| {ratio(ref_closed and ref_closed['messages_per_s'], closed and closed['messages_per_s'], invert=True)} "
                f"| {ratio(ref_hold and ref_hold['server_rss_per_connection_kib'], hold and hold['server_rss_per_connection_kib'])} |"
            )
    if reference is not None:
        ref_closed = phase(reference[2], "closed")
        ref_hold = phase(reference[3], "hold")
        print()
        print("**Targets**")
        print()
        rate = phase(reference[2], "rate")
        print(
            f"- server CPU per message ≤ {CPU_TARGET_US:.0f} µs (closed loop): "
            f"{num(ref_closed and ref_closed['server_cpu_us_per_message'])} µs, "
            f"{verdict(ref_closed and ref_closed['server_cpu_us_per_message'], CPU_TARGET_US)}"
        )
        print(
            f"- memory per connection < {MEMORY_TARGET_KIB:.0f} KiB ({count_mem} held): "
            f"{num(ref_hold and ref_hold['server_rss_per_connection_kib'])} KiB, "
            f"{verdict(ref_hold and ref_hold['server_rss_per_connection_kib'], MEMORY_TARGET_KIB)}"
        )
        p99 = latency(rate, "p99_us")
        print(
            f"- p99 latency < 1 ms at {rate and rate['target_rate']} msg/s: "
            f"{lat(p99)}, {verdict(p99, P99_TARGET_US)}"
        )

    warnings = [
        (label, run, warning)
        for server, label, *reports in rows
        for run, report in zip(("cpu", "memory", "traffic"), reports)
        if report
        for warning in report["warnings"]
    ]
    if warnings:
        print()
        print("**Warnings**")
        print()
        for label, run, warning in warnings:
            print(f"- {label}, {run}: {warning}")


if __name__ == "__main__":
    main()
