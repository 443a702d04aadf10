"""What students and instructors see, in a real browser: JupyterLab (and Notebook 7) driven by
Debian's headless Chromium through Selenium, and a feedback page opened from disk.

Needs the Debian packages chromium and chromium-driver (`make setup` installs them) and
Selenium (the test extra). Screenshots go to test-artifacts/ at the repository's top.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPOSITORY = Path(__file__).resolve().parents[1]
ARTIFACTS = REPOSITORY / "test-artifacts"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1000"]
STAGE = "03_gates"
SHORT_MESSAGE = 600  # characters: a sentence or three, not a traceback


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with a fresh profile; fails (never skips) when it is not installed."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: install the Debian packages chromium and chromium-driver "
                    f"(`make system` does, as root)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("Selenium is missing: pip install -e '.[test]'")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()  # ends chromium and chromedriver


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free port, without a token, serving a copy of the stage's student notebook."""
    home = tmp_path_factory.mktemp("lab")
    shutil.copy(REPOSITORY / "notebooks" / STAGE / f"{STAGE}.ipynb", home)
    settings = home / ".config" / "lab" / "user-settings" / "@jupyterlab"  # JupyterLab's and Notebook 7's
    for name, value in (("apputils-extension/notification", '{"fetchNews": "false"}'),  # no news prompt
                        ("notebook-extension/tracker", '{"windowingMode": "none"}')):  # every cell in the page
        (settings / f"{name}.jupyterlab-settings").parent.mkdir(parents=True, exist_ok=True)
        (settings / f"{name}.jupyterlab-settings").write_text(value)
    port = free_port()
    bin_folder = Path(sys.executable).parent
    command = [str(bin_folder / "jupyter"), "lab", "--no-browser", f"--port={port}", "--port-retries=0",
               "--ip=127.0.0.1", f"--ServerApp.root_dir={home}", "--IdentityProvider.token=",
               "--ServerApp.password=", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.workspaces_dir={home / '.workspaces'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    environment = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
                   "JUPYTER_RUNTIME_DIR": str(home / ".runtime"), "JUPYTER_CONFIG_DIR": str(home / ".config")}
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(command, cwd=home, env=environment, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # its own process group: kernels end with it
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: responds(f"{url}/api"), 60, lambda: f"JupyterLab did not start:\n{(home / 'lab.log').read_text()}")
        yield url
    finally:
        stop(server)
        log.close()


def responds(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def stop(process):
    """End a process group started with start_new_session: politely, then for sure."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(condition, seconds, explain):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(explain() if callable(explain) else explain)


# a graph is an <img> (JupyterLab shows SVG that way) or an inline <svg>
PICTURES = "const PICTURES = '.jp-RenderedSVG img, .jp-RenderedSVG svg, .jp-RenderedImage img';\n"
CELLS = PICTURES + """
const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
if (!panel || !panel.content || !panel.sessionContext.session) return null;
return panel.content.widgets.filter(cell => cell.model.type === 'code').map(cell => {
  const nbgrader = cell.model.getMetadata('nbgrader') || {};
  const area = cell.node.querySelector('.jp-OutputArea');
  return {
    count: cell.model.executionCount,
    test: Boolean(nbgrader.grade && !nbgrader.solution),
    grade_id: nbgrader.grade_id || null,
    errors: [...cell.node.querySelectorAll('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(node => node.innerText),
    area: area ? area.getBoundingClientRect().width : 0,
    pictures: [...cell.node.querySelectorAll(PICTURES)].map(picture => {
      const box = picture.getBoundingClientRect();
      const output = picture.closest('.jp-OutputArea-output').getBoundingClientRect();
      return {width: box.width, overflow: box.right - output.right};
    }),
  };
});
"""


# the kernel is idle and no cell waits in the queue (Run All may also have stopped at an error)
FINISHED = """
const panel = window.jupyterapp.shell.currentWidget;
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const waiting = [...panel.node.querySelectorAll('.jp-InputPrompt')].some(prompt => prompt.innerText.includes('*'));
return Boolean(kernel) && kernel.status === 'idle' && !waiting
    && panel.content.widgets.some(cell => cell.model.type === 'code' && cell.model.executionCount);
"""


SHOW_WIDEST = PICTURES + """
const pictures = [...document.querySelectorAll(PICTURES)];
const width = picture => picture.getBoundingClientRect().width;
if (pictures.length) pictures.reduce((a, b) => width(a) >= width(b) ? a : b).scrollIntoView();
"""
RUN_BELOW_FIRST_UNRUN = """
const panel = window.jupyterapp.shell.currentWidget;
const index = panel.content.widgets.findIndex(cell => cell.model.type === 'code' && !cell.model.executionCount);
if (index < 0) return false;
panel.content.activeCellIndex = index;
window.jupyterapp.commands.execute('notebook:run-all-below');
return true;
"""


@pytest.fixture(scope="module")
def ran_notebook(browser, lab):
    """The stage notebook opened in JupyterLab with the file browser showing: the cells as Run
    All left them, then (for the pictures) each stop resumed with Run All Below."""
    browser.get(f"{lab}/lab/tree/{STAGE}.ipynb")
    wait_for(lambda: browser.execute_script(CELLS), 60, "the notebook did not open in JupyterLab")
    browser.execute_script("window.jupyterapp.commands.execute('filebrowser:activate')")
    browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_for(lambda: browser.execute_script(FINISHED), 90, "Run All did not finish in 90 s")
    after_run_all = browser.execute_script(CELLS)
    for _ in range(len(after_run_all)):
        if not browser.execute_script(RUN_BELOW_FIRST_UNRUN):
            break
        time.sleep(0.5)
        wait_for(lambda: browser.execute_script(FINISHED), 90, "Run All Below did not finish in 90 s")
    browser.execute_script(SHOW_WIDEST)
    browser.save_screenshot(str(ARTIFACTS / f"jupyterlab-{STAGE}.png"))
    browser.execute_script("window.jupyterapp.commands.execute('docmanager:save')")
    return after_run_all, browser.execute_script(CELLS)


def test_run_all_runs_every_cell(ran_notebook):
    after_run_all, _ = ran_notebook
    not_run = [cell["grade_id"] or f"code cell {index + 1}" for index, cell in enumerate(after_run_all) if not cell["count"]]
    assert not not_run, f"Run All stopped before these cells: {not_run}"


def test_graphs_are_pictures_that_fit_the_output_area(ran_notebook):
    _, cells = ran_notebook
    assert all(cell["count"] for cell in cells)
    pictures = [picture for cell in cells for picture in cell["pictures"]]
    assert len(pictures) >= 5, f"expected the stage's graphs as pictures, found {len(pictures)}"
    too_wide = [picture for picture in pictures if picture["overflow"] > 0.5]
    assert not too_wide, f"pictures wider than their output area (px past its right edge): {too_wide}"


def test_unfinished_exercises_tests_show_short_messages(ran_notebook):
    _, cells = ran_notebook
    tests = [cell for cell in cells if cell["test"]]
    assert tests and all(cell["errors"] for cell in tests), "every test of an unfinished exercise fails"
    long = {cell["grade_id"]: len(cell["errors"][0]) for cell in tests if len(cell["errors"][0]) > SHORT_MESSAGE}
    assert not long, f"test cells whose message runs past {SHORT_MESSAGE} characters (a traceback?): {long}"


def test_notebook7_shows_the_saved_graphs_inside_its_output_area(browser, lab, ran_notebook):
    browser.get(f"{lab}/notebooks/{STAGE}.ipynb")
    wait_for(lambda: browser.execute_script(PICTURES + "return document.querySelectorAll(PICTURES).length"),
             30, "Notebook 7 showed no graph")
    overflow = browser.execute_script(PICTURES + """
        return [...document.querySelectorAll(PICTURES)].map(picture =>
            picture.getBoundingClientRect().right - picture.closest('.jp-OutputArea-output').getBoundingClientRect().right)""")
    browser.execute_script(SHOW_WIDEST)
    browser.save_screenshot(str(ARTIFACTS / f"notebook7-{STAGE}.png"))
    assert max(overflow) <= 0.5, f"pictures past their output area's right edge (px): {overflow}"


@pytest.fixture(scope="module")
def feedback_page(browser, feedback_page_path):
    browser.get(feedback_page_path.as_uri())
    wait_for(lambda: browser.execute_script("return document.readyState") == "complete", 30, "the page did not load")
    browser.execute_script("document.querySelector('.output_error').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "feedback-page.png"))
    return browser


def test_feedback_page_renders_offline_without_overflow(feedback_page):
    page = feedback_page
    widths = page.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    wide_blocks = page.execute_script(
        "return [...document.querySelectorAll('.output_area pre')].filter(pre => pre.scrollWidth > pre.clientWidth + 1).length")
    assert wide_blocks == 0, "an output runs past its box"
    fetched = page.execute_script("return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert not [url for url in fetched if not url.startswith(("file:", "data:"))], fetched
    formula = page.execute_script("const math = document.querySelector('math'); return math && math.getBoundingClientRect().height")
    assert formula and formula > 5, "formulas are not drawn"
    text = page.execute_script("return document.body.innerText")
    assert "\\frac" not in text and "&quot;" not in text


def test_feedback_page_runs_nothing_the_student_made(feedback_page):
    page = feedback_page
    assert page.execute_script("return document.scripts.length") == 0
    assert "ran" not in page.title, f"a student's script changed the title to {page.title!r}"
    assert "<script>" in page.execute_script("return document.querySelector('.output_html').innerText")
