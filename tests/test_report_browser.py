"""report.html answers the sweep's questions and renders in a real headless Chromium:
it loads offline, every image resolves, the screenshot is not blank (issue 9, item 7)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from experiments.aggregate import aggregate
from experiments.run import compose, run

# Every network request goes to a closed local port: the page must need none.
OFFLINE = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
PROBE = """
<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  document.body.setAttribute("data-probe", `images=${images.length} broken=${broken}`);
});
</script>
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is required (.ci/run installs it)"
    return found


def _browse(*args: str) -> subprocess.CompletedProcess:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-dev-shm-usage", "--hide-scrollbars", *OFFLINE, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    common = ["dataset=iris", "drift=abrupt_concept", "n_samples=3000"]
    for seed in (0, 1):
        run(compose([*common, "detectors=[adwin,ddm]", "policy=never", "score.oracle=false",
                     f"seed={seed}"]), output_dir=root / "detectors" / f"seed{seed}")
        for policy in ("never", "drift_triggered"):
            for delay in (0, 500):
                run(compose([*common, "detector=ddm", f"policy={policy}",
                             f"loop.label_delay={delay}", "score.oracle=false",
                             f"seed={seed}"]),
                    output_dir=root / "policies" / f"{policy}-{delay}" / f"seed{seed}")
    aggregate(root)
    return root


def test_report_opens_with_the_answers_then_a_glossary(sweep):
    text = (sweep / "report.html").read_text()
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings[0].startswith("Which detector?")
    assert headings[1].startswith("Which policy, at which label delay?")
    assert headings[2] == "Glossary"
    for term in ("MTR", "MTFA", "MTD", "accuracy lost", "cost", "skyline"):
        assert f"<dt>{term}" in text
    assert "false alarms per 1,000" not in headings  # captions, not bare column names
    assert text.count("<figcaption>") == text.count("<img ")
    assert "±" not in text and ">nan<" not in text
    # policy x label delay, each its own row
    policy_table = text.split("<h2>Which policy")[1].split("</table>")[0]
    assert policy_table.count("<tr>") - 1 == 4
    links = re.findall(r'<a href="([^"#]+)">', text)
    assert len(links) == 10 and all((sweep / link).exists() for link in links)


def test_report_renders_offline_in_chromium(sweep, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text((sweep / "report.html").read_text().replace("</body>", PROBE + "</body>"))
    dom = _browse("--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'data-probe="images=(\d+) broken=(\d+)"', dom.stdout)
    assert found, dom.stdout[:500]
    images, broken = int(found[1]), int(found[2])
    assert images >= 3 and broken == 0

    shot = tmp_path / "shot.png"
    out = _browse(f"--screenshot={shot}", "--window-size=1300,2400",
                  (sweep / "report.html").as_uri())
    assert out.returncode == 0 and shot.exists(), out.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    assert pixels.std() > 0.05  # text, tables and figures, not an empty page
    assert (pixels.mean(axis=2) < 0.5).mean() > 0.005  # some dark ink
    assert np.isfinite(pixels).all()


def test_ci_installs_chromium_when_missing():
    script = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "chromium" in script and "apt-get install" in script
