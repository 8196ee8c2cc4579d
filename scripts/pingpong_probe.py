"""The same 4 MiB ping-pong as scripts/pingpong_probe.c over plain blocking TCP sockets (no MPI,
nothing polls): python3 pingpong_probe.py server PORT | client HOST PORT REPEATS RATE LABEL.
Benchmarks only (scripts/bench-netns-pingpong.sh)."""
import socket
import statistics
import sys
import time

BYTES = 4 << 20


def recv_all(sock, n):
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise EOFError
        got += k
    return buf


def main():
    if sys.argv[1] == "server":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", int(sys.argv[2])))
        listener.listen(1)
        sock, _ = listener.accept()
        try:
            while True:
                sock.sendall(recv_all(sock, BYTES))
        except EOFError:
            return
    host, port, repeats, rate, label = sys.argv[2:7]
    sock = socket.create_connection((host, int(port)))
    payload, mbit = bytes(BYTES), []
    for _ in range(int(repeats)):
        one_way = []
        for it in range(4):  # 1 warm-up + 3 timed, as the pair matrix
            t0 = time.perf_counter()
            sock.sendall(payload)
            recv_all(sock, BYTES)
            if it:
                one_way.append((time.perf_counter() - t0) / 2)
        mbit.append(BYTES * 8 / statistics.median(one_way) / 1e6)
        time.sleep(0.02)  # the barrier and the other pairs' turn
    low = sum(m < 0.9 * float(rate) for m in mbit)
    print(f"sockets {label}: {low} of {len(mbit)} repeats under {0.9 * float(rate):.0f} Mbit/s; "
          f"median {statistics.median(mbit):.0f}, best {max(mbit):.0f}", flush=True)


main()
