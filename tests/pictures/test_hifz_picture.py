"""The hifz strength picture: 604 pages, three colours, a legend, mirrored for Arabic."""

from __future__ import annotations

import io

import pytest

from bot.pictures.hifz import FIRM, FRAGILE, render_hifz_map, sample_strengths
from tests.pictures.picture_checks import assert_picture

LEGEND = {"none": "Not memorised", "fragile": "Fragile", "firm": "Firm"}


def _share_of_colour_left(png: bytes, colour: str, top: float) -> float:
    """Of the pixels of `colour` in the top `top` of the picture, the share in its left half."""
    from matplotlib.colors import to_rgb
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png), format="png")[..., :3]
    height, width = pixels.shape[:2]
    band = pixels[: int(height * top)]
    match = (abs(band - to_rgb(colour)).sum(axis=2) < 0.05).nonzero()
    xs = match[1]
    assert len(xs) > 0, "colour not drawn"
    return float((xs < width / 2).mean())


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_page_one_is_where_the_mushaf_begins(lang):
    strengths = ["none"] * 604
    strengths[0] = "firm"  # page 1: top left in English, top right in Arabic
    strengths[603] = "fragile"
    png = render_hifz_map(strengths, title="My hifz", legend=LEGEND, lang=lang)
    assert_picture(png)
    left = _share_of_colour_left(png, FIRM, top=0.2)
    assert left == (1.0 if lang == "en" else 0.0)
    assert _share_of_colour_left(png, FRAGILE, top=1.0) > 0  # page 604 and its legend entry


def test_the_picture_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError):
        render_hifz_map(["none"] * 603, title="", legend=LEGEND, lang="en")
    with pytest.raises(ValueError):
        render_hifz_map(["strong"] * 604, title="", legend=LEGEND, lang="en")


def test_the_sample_has_all_three_strengths():
    assert set(sample_strengths()) == {"none", "fragile", "firm"}
