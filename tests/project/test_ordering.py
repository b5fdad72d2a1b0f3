from datetime import datetime

from lapsefile.project.exif import read_capture_time
from lapsefile.project.model import InputFile
from lapsefile.project.ordering import natural_key, order


def _file(rel, captured=None, mtime_ns=0):
    return InputFile(rel, None, 1, mtime_ns, "0" * 64, captured,  # type: ignore[arg-type]
                     "exif" if captured else "none")


NAMES = ["IMG_10.jpg", "IMG_2.jpg", "IMG_1.jpg", "img_3.jpg", "IMG_100.jpg", "IMG_02b.jpg"]


def test_natural_sort_puts_img_2_before_img_10():
    got = [f.relpath for f in order([_file(n) for n in NAMES], "natural")]
    assert got == ["IMG_1.jpg", "IMG_2.jpg", "IMG_02b.jpg", "img_3.jpg", "IMG_10.jpg",
                   "IMG_100.jpg"]


def test_name_sort_is_plain_code_point_order():
    got = [f.relpath for f in order([_file(n) for n in NAMES], "name")]
    assert got == sorted(NAMES) and got.index("IMG_10.jpg") < got.index("IMG_2.jpg")


def test_natural_key_is_total_for_zero_padding():
    assert natural_key("IMG_01.jpg") != natural_key("IMG_1.jpg")
    assert sorted(["b/IMG_1", "a/IMG_2"], key=natural_key) == ["a/IMG_2", "b/IMG_1"]


def test_every_keeps_every_nth_after_sorting():
    files = [_file(f"f{i}.jpg") for i in range(1, 11)]
    assert [f.relpath for f in order(files, "natural", every=3)] == [
        "f1.jpg", "f4.jpg", "f7.jpg", "f10.jpg"]


def test_exif_order_breaks_ties_by_subsecond_then_name(tmp_path, photo):
    t = datetime(2026, 5, 1, 18, 30, 0)
    specs = {  # name: (datetime, subsec)
        "a_late.jpg": (datetime(2026, 5, 1, 18, 30, 1), None),
        "z_first.jpg": (t, "05"),
        "b_second.jpg": (t, "50"),
        "c_tie.jpg": (t, "50"),
        "d_nosub.jpg": (t, None),
    }
    files = []
    for name, (when, sub) in specs.items():
        path = photo(tmp_path / name, when=when, subsec=sub)
        files.append(_file(name, read_capture_time(path)))
    got = [f.relpath for f in order(files, "exif")]
    assert got == ["d_nosub.jpg", "z_first.jpg", "b_second.jpg", "c_tie.jpg", "a_late.jpg"]


def test_subseconds_are_read_as_a_fraction(tmp_path, photo):
    path = photo(tmp_path / "p.jpg", when=datetime(2026, 1, 2, 3, 4, 5), subsec="7")
    assert read_capture_time(path) == datetime(2026, 1, 2, 3, 4, 5, 700000)


def test_photo_without_exif_has_no_capture_time(tmp_path, photo):
    assert read_capture_time(photo(tmp_path / "plain.jpg")) is None
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    assert read_capture_time(tmp_path / "junk.jpg") is None


def test_exif_sort_falls_back_to_mtime_for_photos_without_exif():
    early = datetime(2026, 1, 1, 12, 0, 0)
    undated_mtime = int(datetime(2026, 1, 1, 11, 0, 0).timestamp() * 1e9)
    files = [_file("dated.jpg", early), _file("undated.jpg", None, undated_mtime)]
    assert [f.relpath for f in order(files, "exif")] == ["undated.jpg", "dated.jpg"]


def test_mtime_sort_puts_the_oldest_first(tmp_path):
    files = [_file("x.jpg", mtime_ns=300), _file("y.jpg", mtime_ns=100), _file("z.jpg",
                                                                             mtime_ns=200)]
    assert [f.relpath for f in order(files, "mtime")] == ["y.jpg", "z.jpg", "x.jpg"]
