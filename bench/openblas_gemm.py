"""OpenBLAS sgemm GFLOP/s at the square sizes our gemm mode measures, through torch.matmul on float32.

The issue's GEMM target is "at least OpenBLAS's SkylakeX kernels": this measures them in the same
run as ours (compare-pytorch.sh calls it right after `gemm`), with the same protocol: warm up,
calibrate the repetition count to --rep-seconds, report the median of --reps repetitions.
Run with OPENBLAS_CORETYPE=SkylakeX (Debian's OpenBLAS does not recognise the CPU otherwise).
OpenBLAS sizes its thread pool when it loads, from OPENBLAS_NUM_THREADS (torch.set_num_threads does
not reach it), so each thread count runs in a child process started with that variable set.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def gflops(n: int, threads: int, reps: int, rep_seconds: float) -> float:
    import torch                                   # only in the child, after OPENBLAS_NUM_THREADS is set
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
    parser.add_argument("--out", help="also append JSON lines (bench openblas_gemm, shape, threads, gflops) to this file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child is not None:                     # one thread count: print one rate per size
        for n in sizes:
            print(f"{gflops(n, args.child, args.reps, args.rep_seconds):.1f}")
        return
    threads = [int(t) for t in args.threads.split(",")]
    columns = []
    for t in threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t))
        out = subprocess.run([sys.executable, __file__, "--child", str(t), "--sizes", args.sizes, "--reps", str(args.reps),
                              "--rep-seconds", str(args.rep_seconds)], env=env, check=True, capture_output=True, text=True).stdout
        columns.append([float(x) for x in out.split()])
    print("OpenBLAS sgemm (torch.matmul, float32) GFLOP/s, wall, median of %d; OPENBLAS_NUM_THREADS per column" % args.reps)
    print("shape".ljust(28) + "".join(f"{t} thread(s)".rjust(18) for t in threads))
    for i, n in enumerate(sizes):
        print(f"{n}×{n}×{n}".ljust(28) + "".join(f"{c[i]:18.1f}" for c in columns))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            for t, column in zip(threads, columns):
                for n, rate in zip(sizes, column):
                    f.write(json.dumps({"bench": "openblas_gemm", "shape": f"{n}×{n}×{n}", "threads": t, "gflops": rate}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
