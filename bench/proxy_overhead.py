#!/usr/bin/env python3
"""Overhead of the SageMaker MLOps signing proxy, on loopback only.

Starts a TLS upstream (a throwaway CA and certificate generated at run time) that answers every request with a
fixed JSON body, and a Jupyter server with the extension whose ``sagemaker`` endpoint is overridden to point at it
(``upstream_ca_bundle`` trusts the throwaway CA, for this benchmark only). Then, in the same run, for each
concurrency level it sends the same bounded number of ``SageMaker.ListPipelines`` requests over keep-alive
connections, once directly to the upstream and once through the proxy, and reports p50 / p99 latency and throughput.

    python bench/proxy_overhead.py --out proxy-overhead.json

A third mode, ``jupyter-floor``, sends ``GET /api/me`` to the same Jupyter server with the same authentication: an
authenticated route that makes no upstream call, i.e. what any request costs in this server before the proxy does
anything. For the proxy and the floor the Jupyter server's CPU time per request is reported too (Linux).

Budgets: overhead p50 <= 1 ms and p99 <= 5 ms at concurrency 8; throughput through the proxy >= 70 % of direct at
concurrency 32; no errors. ``--strict`` exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import ipaddress
import json
import os
import platform
import secrets
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BODY = json.dumps(
    {
        "PipelineSummaries": [
            {
                "PipelineArn": f"arn:aws:sagemaker:us-east-1:123456789012:pipeline/customer-churn-p-{i}",
                "PipelineName": f"customer-churn-p-{i}",
                "PipelineDisplayName": f"customer-churn-p-{i}",
                "CreationTime": 1700000000.0 + i,
                "LastModifiedTime": 1700000000.0 + i,
            }
            for i in range(3)
        ]
    }
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: bench-0000\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)
REQUEST_BODY = b'{"MaxResults": 100}'
TARGET = "SageMaker.ListPipelines"
LEVELS = (1, 8, 32)


# ---------------------------------------------------------------------------------------------- certificates


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "proxy-overhead benchmark CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=6))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=6))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


# ---------------------------------------------------------------------------------------------- the upstream


class UpstreamProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive: every complete request (head + Content-Length body) gets RESPONSE."""

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            self.transport.write(RESPONSE)


async def serve_upstream(directory: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    server = await asyncio.get_running_loop().create_server(UpstreamProtocol, "127.0.0.1", 0, ssl=context, backlog=256)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


# ---------------------------------------------------------------------------------------------- the client


class Connection:
    """One keep-alive HTTP/1.1 connection; requests are sent one after the other."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, tls: ssl.SSLContext | None) -> "Connection":
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls, limit=1 << 20)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked = None, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                data = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += data[:-2]
        else:
            body = await self.reader.readexactly(length or 0)
        return status, body

    def close(self) -> None:
        self.writer.close()


def build_request(path: str, host: str, extra: dict[str, str], method: str = "POST") -> bytes:
    if method == "GET":
        headers, body = {"Host": host, **extra}, b""
    else:
        headers = {
            "Host": host,
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": TARGET,
            "Content-Length": str(len(REQUEST_BODY)),
            **extra,
        }
        body = REQUEST_BODY
    return (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode() + body


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


async def run_level(
    port: int,
    tls: ssl.SSLContext | None,
    request: bytes,
    concurrency: int,
    total: int,
    warmup: int,
    expected: bytes | None = BODY,
    server_pid: int | None = None,
) -> dict:
    connections = [await Connection.open(port, tls) for _ in range(concurrency)]
    errors: list[str] = []

    async def worker(connection: Connection, count: int, latencies: list[float] | None) -> None:
        for _ in range(count):
            started = time.perf_counter()
            try:
                status, body = await connection.exchange(request)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                errors.append(type(error).__name__)
                return
            if status != 200 or (expected is not None and body != expected):
                errors.append(f"HTTP {status}: {body[:200]!r}")
            elif latencies is not None:
                latencies.append(time.perf_counter() - started)

    try:
        await asyncio.gather(*(worker(c, max(1, warmup // concurrency), None) for c in connections))
        warm_errors = list(errors)
        errors.clear()
        latencies: list[float] = []
        per_worker = total // concurrency
        cpu_before = cpu_seconds(server_pid) if server_pid else None
        started = time.perf_counter()
        await asyncio.gather(*(worker(c, per_worker, latencies) for c in connections))
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(server_pid) if server_pid else None
    finally:
        for connection in connections:
            connection.close()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    return {
        "concurrency": concurrency,
        "requests": len(ms),
        "errors": len(errors) + len(warm_errors),
        "error_samples": (warm_errors + errors)[:3],
        "p50_ms": round(percentile(ms, 50), 3) if ms else None,
        "p99_ms": round(percentile(ms, 99), 3) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 3) if ms else None,
        "throughput_rps": round(len(ms) / elapsed, 1) if ms else 0.0,
        # CPU the Jupyter server spent per request (user + system), when it is the server measured
        "server_cpu_ms_per_request": (
            round((cpu_after - cpu_before) * 1000 / len(ms), 3) if ms and cpu_before is not None and cpu_after is not None else None
        ),
    }


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (k - low)


# ---------------------------------------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.lower() not in (
        "http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(
        {
            # Placeholders: the benchmark upstream checks no signature.
            "AWS_ACCESS_KEY_ID": "bench-placeholder-key-id",
            "AWS_SECRET_ACCESS_KEY": "bench-placeholder-secret",
            "AWS_SESSION_TOKEN": "bench-placeholder-session",
            "AWS_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(work / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(work / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
            "JUPYTER_CONFIG_DIR": str(work / "config"),
            "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
            "JUPYTER_DATA_DIR": str(work / "data"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
    )
    return env


def start_jupyter(work: Path, env: dict[str, str], upstream_port: int, ca: Path, token: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    (work / "config").mkdir()
    (work / "root").mkdir()
    (work / "config" / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": {"sagemaker_mlops": True},
                    "ip": "127.0.0.1",
                    "port": port,
                    "port_retries": 0,
                    "open_browser": False,
                    "root_dir": str(work / "root"),
                    "log_level": "WARN",
                    "allow_root": True,
                },
                "IdentityProvider": {"token": token},
                "SageMakerMLOps": {
                    "endpoint_urls": {"sagemaker": f"https://127.0.0.1:{upstream_port}"},
                    "upstream_ca_bundle": str(ca),  # trust the throwaway CA: for this benchmark only
                    "resource_metadata_path": str(work / "no-metadata.json"),
                },
            }
        )
    )
    log = open(work / "jupyter.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "jupyter_server"], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("Jupyter server exited:\n" + (work / "jupyter.log").read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {token}"}),
                timeout=2,
            ):
                return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("Jupyter server did not start within 60 s")


def login_cookie(port: int, token: str) -> str:
    """``name=value`` of the login cookie Jupyter sets on a token-authenticated request."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            if pair.startswith("username-"):
                return pair
    raise SystemExit("Jupyter set no login cookie")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


async def measure(args, upstream_port: int, jupyter_port: int, ca: Path, token: str, jupyter_pid: int | None = None) -> list[dict]:
    tls = ssl.create_default_context(cafile=str(ca))
    direct = build_request("/", f"127.0.0.1:{upstream_port}", {})
    xsrf = secrets.token_hex(16)
    if args.auth == "token":  # a token on every request and no login cookie (Jupyter makes up a user for each)
        auth = {"Authorization": f"token {token}", "Cookie": f"_xsrf={xsrf}"}
    elif args.auth == "cookie":  # the login cookie only
        auth = {"Cookie": f"_xsrf={xsrf}; {login_cookie(jupyter_port, token)}"}
    else:  # as JupyterLab opened with a token: the token header and the login cookie Jupyter set once
        auth = {"Authorization": f"token {token}", "Cookie": f"_xsrf={xsrf}; {login_cookie(jupyter_port, token)}"}
    host = f"127.0.0.1:{jupyter_port}"
    proxied = build_request("/sagemaker-mlops/aws/sagemaker/", host, {**auth, "X-XSRFToken": xsrf})
    # The floor: an authenticated Jupyter API route that does no upstream call (what any handler costs).
    floor = build_request("/api/me", host, {**auth, "X-XSRFToken": xsrf}, method="GET")
    rows = []
    for concurrency in args.levels:
        total = args.requests * concurrency if args.requests_per_connection else args.requests
        total = max(total, concurrency)
        # Same level, same run: direct then through the proxy, alternating rounds to share any drift.
        results: dict[str, list[dict]] = {"direct": [], "proxy": [], "jupyter-floor": []}
        for _ in range(args.rounds):
            results["direct"].append(await run_level(upstream_port, tls, direct, concurrency, total, args.warmup))
            results["proxy"].append(
                await run_level(jupyter_port, None, proxied, concurrency, total, args.warmup, server_pid=jupyter_pid)
            )
            if args.floor:
                results["jupyter-floor"].append(
                    await run_level(jupyter_port, None, floor, concurrency, total, args.warmup, None, jupyter_pid)
                )
        for mode in ("direct", "proxy", "jupyter-floor"):
            if results[mode]:
                rows.append(merge(mode, results[mode]))
    return rows


def merge(mode: str, rounds: list[dict]) -> dict:
    """Rounds of one mode and level: the median round by p50 (its figures), errors summed."""
    ordered = sorted(rounds, key=lambda r: (r["p50_ms"] is None, r["p50_ms"] or 0))
    row = dict(ordered[len(ordered) // 2])
    row["mode"] = mode
    row["errors"] = sum(r["errors"] for r in rounds)
    row["rounds"] = len(rounds)
    return row


def verdicts(rows: list[dict]) -> dict:
    by = {(r["mode"], r["concurrency"]): r for r in rows}
    result: dict = {}
    if ("proxy", 8) in by:
        d, p = by[("direct", 8)], by[("proxy", 8)]
        result["overhead_p50_ms_c8"] = round(p["p50_ms"] - d["p50_ms"], 3)
        result["overhead_p99_ms_c8"] = round(p["p99_ms"] - d["p99_ms"], 3)
        result["p50_budget_ok"] = result["overhead_p50_ms_c8"] <= 1.0
        result["p99_budget_ok"] = result["overhead_p99_ms_c8"] <= 5.0
    if ("proxy", 32) in by:
        d, p = by[("direct", 32)], by[("proxy", 32)]
        result["throughput_ratio_c32"] = round(p["throughput_rps"] / d["throughput_rps"], 3)
        result["throughput_budget_ok"] = result["throughput_ratio_c32"] >= 0.70
    result["errors"] = sum(r["errors"] for r in rows if r["mode"] != "jupyter-floor")
    result["errors_budget_ok"] = result["errors"] == 0
    return result


def print_table(rows: list[dict], verdict: dict) -> None:
    print(
        f"{'mode':<13} {'conc':>4} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'req/s':>9} "
        f"{'errors':>6} {'server CPU ms/req':>17}"
    )
    for r in rows:
        cpu = r.get("server_cpu_ms_per_request")
        print(
            f"{r['mode']:<13} {r['concurrency']:>4} {r['requests']:>8} {r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} "
            f"{r['mean_ms']:>8.3f} {r['throughput_rps']:>9.1f} {r['errors']:>6} {'' if cpu is None else f'{cpu:.3f}':>17}"
        )
    by = {(r["mode"], r["concurrency"]): r for r in rows}
    for c in sorted({r["concurrency"] for r in rows}):
        d, p = by[("direct", c)], by[("proxy", c)]
        print(
            f"overhead c={c:<3} p50 {p['p50_ms'] - d['p50_ms']:+.3f} ms  p99 {p['p99_ms'] - d['p99_ms']:+.3f} ms  "
            f"throughput {p['throughput_rps'] / d['throughput_rps']:.0%} of direct"
        )
    ok = lambda flag: "ok" if flag else "MISSED"  # noqa: E731
    if "overhead_p50_ms_c8" in verdict:
        print(f"budget overhead p50 <= 1 ms at c=8: {verdict['overhead_p50_ms_c8']:.3f} ms {ok(verdict['p50_budget_ok'])}")
        print(f"budget overhead p99 <= 5 ms at c=8: {verdict['overhead_p99_ms_c8']:.3f} ms {ok(verdict['p99_budget_ok'])}")
    if "throughput_ratio_c32" in verdict:
        print(f"budget throughput >= 70% of direct at c=32: {verdict['throughput_ratio_c32']:.0%} {ok(verdict['throughput_budget_ok'])}")
    print(f"budget no errors: {verdict['errors']} {ok(verdict['errors_budget_ok'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per level and mode (per round)")
    parser.add_argument("--requests-per-connection", action="store_true", help="--requests is per connection")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first, per level and mode")
    parser.add_argument("--rounds", type=int, default=3, help="alternating direct/proxy rounds per level (median kept)")
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=list(LEVELS))
    parser.add_argument(
        "--auth", choices=("lab", "cookie", "token"), default="lab",
        help="how the load authenticates to Jupyter: as JupyterLab opened with a token does (token header and login "
        "cookie, the default), the login cookie only, or the token only",
    )
    parser.add_argument(
        "--no-floor", dest="floor", action="store_false",
        help="skip the Jupyter floor (GET /api/me: an authenticated route with no upstream call)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument("--serve-upstream", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve_upstream:
        asyncio.run(serve_upstream(args.serve_upstream))
        return 0

    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="proxy-overhead-") as tmp:
        work = Path(tmp)
        ca, _, _ = make_certificates(work)
        env = clean_environment(work)
        upstream = subprocess.Popen(
            [sys.executable, __file__, "--serve-upstream", str(work)], env=env, stdout=subprocess.PIPE, text=True
        )
        jupyter = None
        try:
            upstream_port = int(upstream.stdout.readline())
            token = secrets.token_hex(24)
            jupyter, jupyter_port = start_jupyter(work, env, upstream_port, ca, token)
            rows = asyncio.run(measure(args, upstream_port, jupyter_port, ca, token, jupyter.pid))
        finally:
            if jupyter is not None:
                stop(jupyter)
            stop(upstream)
        verdict = verdicts(rows)
        print_table(rows, verdict)
        load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
        if load_before:
            # Other work on the machine shares its CPUs with all three processes and shows in every figure.
            print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} on {os.cpu_count()} CPUs")
        if args.out:
            import aiohttp
            import tornado

            args.out.write_text(
                json.dumps(
                    {
                        "benchmark": "proxy_overhead",
                        "operation": TARGET,
                        "upstream": "loopback TLS, fixed JSON body",
                        "rows": rows,
                        "verdict": verdict,
                        "environment": {
                            "python": platform.python_version(),
                            "platform": platform.platform(),
                            "cpus": os.cpu_count(),
                            "load_average_1min_before_after": [load_before and load_before[0], load_after and load_after[0]],
                            "tornado": tornado.version,
                            "aiohttp": aiohttp.__version__,
                        },
                        "settings": {"requests": args.requests, "warmup": args.warmup, "rounds": args.rounds, "auth": args.auth},
                    },
                    indent=2,
                )
                + "\n"
            )
    ok = all(v for k, v in verdict.items() if k.endswith("_ok"))
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
