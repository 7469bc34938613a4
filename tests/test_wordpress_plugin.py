"""The WordPress plugin (contrib/wordpress): its PHP parses, and its shortcode prints the same
tag as ArcaChat's staff page. WordPress's own escaping functions are replaced by the few lines
below (the plugin is what is tested, not WordPress); skipped without `php`."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from embed.views import snippet

PHP = shutil.which("php")
PLUGIN = Path(__file__).resolve().parents[1] / "contrib/wordpress/arcachat-embed/arcachat-embed.php"
pytestmark = pytest.mark.skipif(PHP is None, reason="php is not installed")

# Just enough of WordPress for the plugin: the shortcode registry and its escaping functions.
WORDPRESS = r"""<?php
define('ABSPATH', '/');
$shortcodes = array();
function add_shortcode($name, $fn) { global $shortcodes; $shortcodes[$name] = $fn; }
function shortcode_atts($defaults, $atts, $name) { return array_merge($defaults, (array) $atts); }
function esc_attr($text) { return htmlspecialchars($text, ENT_QUOTES, 'UTF-8'); }
function esc_url($url) { return htmlspecialchars($url, ENT_QUOTES, 'UTF-8'); }
function sanitize_hex_color($c) { return preg_match('/^#([0-9a-f]{3}){1,2}$/i', $c) ? $c : null; }
require '%s';
foreach (json_decode(file_get_contents('php://stdin'), true) as $atts) {
    echo call_user_func($shortcodes['arcachat'], $atts), "\n";
}
"""


def shortcodes(*calls) -> list[str]:
    program = WORDPRESS % PLUGIN
    done = subprocess.run(
        [PHP, "-r", program.removeprefix("<?php\n")],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.split("\n")[: len(calls)]


def test_it_parses():
    done = subprocess.run([PHP, "-l", str(PLUGIN)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_prints_the_snippet_of_the_staff_page_once_per_page():
    look = {"position": "left", "label": "Une question ?", "background": "#ffee88", "color": "#000"}
    url = "https://chat.port-lumiere.fr"
    first, second = shortcodes({"url": url + "/", **look}, {"url": url})
    assert first == snippet(look, "https://chat.port-lumiere.fr")
    assert second == ""


def test_it_prints_nothing_for_an_address_that_is_not_https():
    assert shortcodes({"url": "http://chat.port-lumiere.fr"}) == [""]
    assert shortcodes({"url": "javascript:alert(1)//"}) == [""]


def test_it_escapes_what_an_editor_typed():
    (tag,) = shortcodes({"url": "https://chat.port-lumiere.fr", "label": '"><img src=x>'})
    assert tag.count("<") == 2 and "&quot;&gt;&lt;img" in tag
    assert 'data-background="#0b4f8a"' in tag  # the defaults fill what was not given
