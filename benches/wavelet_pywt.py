"""Times PyWavelets on the arrays and settings of examples/bench_wavelet_pywt.rs.

Dev-time only (never a test dependency): `pip install PyWavelets numpy`, then
`python3 benches/wavelet_pywt.py`. Arrays: x[k] = ((k*7919 + k*k) % 1000)/500 - 1 over the flat
index k, exactly as the Rust example builds them.
"""
import time

import numpy as np
import pywt


def array(shape):
    k = np.arange(int(np.prod(shape)), dtype=np.int64)
    return (((k * 7919 + k * k) % 1000) / 500.0 - 1.0).reshape(shape)


def time_ms(reps, f):
    f()
    v = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        v.append((time.perf_counter() - t) * 1e3)
    return sorted(v)[reps // 2]


print(f"pywt {pywt.__version__}, numpy {np.__version__}")
print("| case | wavelet | mode | level | forward ms | inverse ms |")
print("|---|---|---|---|---|---|")
for shape, w, mode, level in [((1024, 1024), "db4", "symmetric", 3), ((1000, 120), "bior2.4", "periodization", 1)]:
    x = array(shape)
    c = pywt.wavedec(x, w, mode=mode, level=level, axis=-1)
    f = time_ms(11, lambda: pywt.wavedec(x, w, mode=mode, level=level, axis=-1))
    i = time_ms(11, lambda: pywt.waverec(c, w, mode=mode, axis=-1))
    print(f"| 1-D {list(shape)} | {w} | {mode} | {level} | {f:.2f} | {i:.2f} |")
for shape, w, mode, level in [((1000, 81, 120), "bior2.4", "periodization", 1), ((16, 256, 256), "db2", "symmetric", 2)]:
    x = array(shape)
    c = pywt.wavedec2(x, w, mode=mode, level=level, axes=(-2, -1))
    f = time_ms(11, lambda: pywt.wavedec2(x, w, mode=mode, level=level, axes=(-2, -1)))
    i = time_ms(11, lambda: pywt.waverec2(c, w, mode=mode, axes=(-2, -1)))
    print(f"| 2-D {list(shape)} | {w} | {mode} | {level} | {f:.2f} | {i:.2f} |")
