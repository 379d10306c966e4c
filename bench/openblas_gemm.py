"""OpenBLAS sgemm GFLOP/s at the square sizes our gemm mode measures, through torch.matmul on float32.

The issue's GEMM target is "at least OpenBLAS's SkylakeX kernels": this measures them in the same
run as ours (compare-pytorch.sh calls it right after `gemm`), with the same protocol: warm up,
calibrate the repetition count to --rep-seconds, report the median of --reps repetitions.
Run with OPENBLAS_CORETYPE=SkylakeX (Debian's OpenBLAS does not recognise the CPU otherwise).
"""
import argparse
import statistics
import time

import torch


def gflops(n: int, threads: int, reps: int, rep_seconds: float) -> float:
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    c = torch.empty(n, n)
    for _ in range(3):
        torch.matmul(a, b, out=c)
    iters, start = 1, time.perf_counter()
    while True:                                    # calibrate: one repetition takes about rep_seconds
        t0 = time.perf_counter()
        for _ in range(iters):
            torch.matmul(a, b, out=c)
        if time.perf_counter() - t0 >= rep_seconds / 4 or time.perf_counter() - start > 5:
            iters = max(1, int(iters * rep_seconds / max(time.perf_counter() - t0, 1e-9)))
            break
        iters *= 2
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            torch.matmul(a, b, out=c)
        rates.append(2.0 * n ** 3 * iters / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--sizes", default="256,512,1024,2048")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--rep-seconds", type=float, default=0.3)
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    print("OpenBLAS sgemm (torch.matmul, float32) GFLOP/s, wall, median of %d" % args.reps)
    print("shape".ljust(28) + "".join(f"{t} thread(s)".rjust(18) for t in threads))
    for n in (int(s) for s in args.sizes.split(",")):
        row = [gflops(n, t, args.reps, args.rep_seconds) for t in threads]
        print(f"{n}×{n}×{n}".ljust(28) + "".join(f"{r:18.1f}" for r in row))


if __name__ == "__main__":
    main()
