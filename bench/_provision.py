"""Shared by bench/provision.py and bench/site_cost.py: many sites made the way create_site makes one."""

import statistics
import time


def provision_sites(count, *, parent="portal", prefix="b"):
    """``count`` department sites under ``parent`` with create_site, behind a progress bar.

    Returns ``(codes, seconds per site)``. The first site pays for the template's dump; the
    others reuse it, as every site after the first of a deploy does.
    """
    from tqdm import tqdm

    from sites.provisioning import SiteSpec, create_site

    codes, seconds = [], []
    for index in tqdm(range(count), desc="开设站点", unit="站"):
        code = f"{prefix}{index:04d}"
        start = time.perf_counter()
        create_site(SiteSpec(code=code, name=f"测试部门{index}", parent=parent, domain=f"{code}.bench.localhost"))
        seconds.append(time.perf_counter() - start)
        codes.append(code)
    return codes, seconds


def describe_throughput(seconds):
    """Lines on provisioning speed: total, per site, and whether the last sites cost more than the first."""
    count = len(seconds)
    ordered = sorted(seconds)
    tenth = max(1, count // 10)
    first, last = statistics.median(seconds[:tenth]), statistics.median(seconds[-tenth:])
    return [
        f"provisioned {count} sites in {sum(seconds):.1f} s ({count / sum(seconds):.2f} sites/s, "
        f"{sum(seconds) / count * 1000 / 60:.1f} min per 1,000)",
        f"  per site: median {statistics.median(seconds):.3f} s   p95 {ordered[int(0.95 * (count - 1))]:.3f} s"
        f"   max {ordered[-1]:.3f} s",
        f"  first {tenth} sites median {first:.3f} s, last {tenth} median {last:.3f} s"
        f"   (ratio last / first {last / first:.2f}x: does a crowded database slow provisioning?)",
    ]
