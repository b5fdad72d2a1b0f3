"""The agent's GUI talk ("click Export") rewritten into what lapsefile does, as whole sentences."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapsefile.backends.nemo.wording import translate

EXPORT = "lapsefile exports the video next."
DOWNLOAD = "lapsefile downloads the video when the export finishes."
CHECK = "lapsefile reads the timeline to check it."
UPLOAD = "lapsefile uploads the files."
ZH_EXPORT = "lapsefile 接下来会导出视频。"
ZH_DOWNLOAD = "lapsefile 会在导出完成后下载视频。"
ZH_CHECK = "lapsefile 会读取时间线来检查。"
ZH_UPLOAD = "lapsefile 会自动上传文件。"

REPLIES = [
    # export / render
    ("Click Export to render your video.", EXPORT),
    ("Click Export in the top right when you are ready", EXPORT),
    ("When you're ready, click the Export button in the top right corner to render your video.",
     EXPORT),
    ("The title is in place, so you can click Export now.", f"The title is in place. {EXPORT}"),
    ("Once you're happy with the result, simply hit Render.", EXPORT),
    ("Everything looks good — hit Export when you're ready!", f"Everything looks good — {EXPORT}"),
    ("You'll find the Export button in the top right corner.", EXPORT),
    ("Great, click Export!", f"Great. {EXPORT}"),
    ("Click Export in the top right corner, or let me know if you'd like any other changes.",
     f"{EXPORT} Let me know if you'd like any other changes."),
    ("If you'd like to make changes, just let me know; otherwise, click Export.",
     f"If you'd like to make changes, just let me know; {EXPORT}"),
    ("Go to the Export tab and choose MP4.", EXPORT),
    ('Done! I added the title "Sunset" from 0s to 0.5s. You can preview it in the editor. '
     "Click Export to render your video.",
     f'Done! I added the title "Sunset" from 0s to 0.5s. {CHECK} {EXPORT}'),
    ("点击“导出”即可渲染视频。", ZH_EXPORT),
    ("准备好后，点击右上角的「导出」按钮。", ZH_EXPORT),
    ("请点击右上角的“导出”按钮导出视频。", ZH_EXPORT),
    ("如果满意，请点击导出按钮，或者告诉我需要调整的地方。", f"{ZH_EXPORT}告诉我需要调整的地方。"),
    # download
    ("Please click Download.", DOWNLOAD),
    ("Please press the 'Download' button.", DOWNLOAD),
    ("Your video is ready! Click Download to save it to your device.",
     f"Your video is ready! {DOWNLOAD}"),
    ("Click here to download your video.", DOWNLOAD),
    ("You can now download your video.", DOWNLOAD),
    ("Your timelapse is ready to export. Click Export and then Download to get the MP4.",
     f"Your timelapse is ready to export. {EXPORT} {DOWNLOAD}"),
    ("视频已生成，点击“下载”按钮保存到本地，或者告诉我还需要修改什么。",
     f"视频已生成。{ZH_DOWNLOAD}告诉我还需要修改什么。"),
    ("视频导出完成！点击下载按钮即可保存。", f"视频导出完成！{ZH_DOWNLOAD}"),
    # preview / play
    ("You can preview it in the editor.", CHECK),
    ("Press Play to preview the result.", CHECK),
    ("I set the volume to 35%. Hit play to hear it.", f"I set the volume to 35%. {CHECK}"),
    ("I've added the music, which you can preview in the editor.",
     f"I've added the music. {CHECK}"),
    ("I added the title (click Preview to see it).",
     "I added the title (lapsefile reads the timeline to check it)."),
    ("Click Preview to check it, or Export to render it.", f"{CHECK} {EXPORT}"),
    ("您可以点击预览查看效果。", ZH_CHECK),
    ("您可以在预览窗口中播放视频。", ZH_CHECK),
    ("完成！已添加标题“Sunset”（0 秒至 0.5 秒）。您可以在编辑器中预览，点击“导出”即可渲染视频。",
     f"完成！已添加标题“Sunset”（0 秒至 0.5 秒）。{ZH_CHECK}{ZH_EXPORT}"),
    ("好的！请在编辑器中预览效果，满意的话点击导出。", f"好的！{ZH_CHECK}{ZH_EXPORT}"),
    # upload / import / add media
    ("I couldn't find logo.png among your uploads. Please upload it with the Upload button and "
     "ask me again.", f"I couldn't find logo.png among your uploads. {UPLOAD}"),
    ("I can only see 3 uploaded photos, not 10. Please upload the rest with the Upload button "
     "first.", f"I can only see 3 uploaded photos, not 10. {UPLOAD}"),
    ("If you want to add more photos, use the Upload button.", UPLOAD),
    ("Import your photos using the Import button, then ask me to build the timelapse.",
     f"{UPLOAD} Ask me to build the timelapse."),
    ("Drag and drop your images onto the timeline.", UPLOAD),
    ("在您上传的素材中找不到logo.png。请先点击“上传”按钮上传后再试。",
     f"在您上传的素材中找不到logo.png。{ZH_UPLOAD}"),
    ("我只找到 3 张已上传的照片，而不是 10 张。请先上传其余照片。",
     f"我只找到 3 张已上传的照片，而不是 10 张。{ZH_UPLOAD}"),
    ("时间线上还没有视频。请先添加照片或视频片段。", f"时间线上还没有视频。{ZH_UPLOAD}"),
    # open the editor / timeline / a panel
    ("Open the editor to see the timeline.", CHECK),
    ("I've updated the timeline. Feel free to open the editor and take a look.",
     f"I've updated the timeline. {CHECK}"),
    ("I'm not sure what you'd like me to change. You can ask me to add titles, music, a logo or "
     "a timestamp, or open the Media panel to add clips.",
     "I'm not sure what you'd like me to change. You can ask me to add titles, music, a logo or "
     f"a timestamp. {UPLOAD}"),
    ("打开编辑器查看时间线。", ZH_CHECK),
    ("抱歉，我没有理解您的需求。您可以让我添加标题、音乐、标志或时间戳，或在素材面板中添加片段。",
     f"抱歉，我没有理解您的需求。您可以让我添加标题、音乐、标志或时间戳。{ZH_UPLOAD}"),
    # layout survives
    ("Step 1: upload your photos.\nStep 2: click Export.\n\nThanks!",
     f"Step 1: {UPLOAD}\nStep 2: {EXPORT}\n\nThanks!"),
    ("- Click **Export** to render", f"- {EXPORT}"),
    ("  Click Export.  ", f"  {EXPORT}  "),
]

UNCHANGED = [
    "I added the title.",
    "I'll add the title and export settings.",
    "Export settings are set to high quality.",
    "I will export it once you confirm.",
    "Uploading your photos now.",
    "Would you like me to add more clips?",
    "The render will take about 2 minutes.",
    "已添加背景音乐 music.wav，音量 35%。",
    "已将 10 张照片合成为 1 秒的延时视频（10 fps，160x90）。",
    "Sorry, we ran into a temporary issue. Please try again in a moment.",
]


@pytest.mark.parametrize("said, shown", REPLIES, ids=[s[:40] for s, _ in REPLIES])
def test_gui_directives_become_lapsefile_sentences(said, shown):
    assert translate(said) == shown
    assert translate(shown) == shown  # lapsefile's own sentences are left alone


@pytest.mark.parametrize("said", UNCHANGED)
def test_text_without_gui_directives_is_unchanged(said):
    assert translate(said) == said


# -- properties over generated replies -----------------------------------------------------------

NEUTRAL = ["I added the title.", "The timelapse is 10 seconds long.", "Done!",
           "I placed logo.png at the top right as an overlay.", "Everything is on the timeline."]
LEADS = ["", "please ", "you can ", "simply ", "just ", "now ", "then ", "you can now ",
         "once you're happy, ", "when you are ready, ", "if everything looks good, ", "great, ",
         "next step: ", "all you need to do is "]
VERBS = ["click", "press", "tap", "hit", "click on", "double-click"]
BUTTONS = ["Export", "Render", "Download", "Preview", "Play", "Upload", "Import", "Add Media",
           "Export Video"]
QUOTES = [("", ""), ("'", "'"), ('"', '"'), ("“", "”"), ("**", "**")]
NOUNS = ["", " button", " icon", " tab"]
TAILS = ["", " in the top right", " in the top right corner", " when you are ready",
         " to download your video", " to render your video", " to save it",
         " in the top right when you're ready"]
OTHER = ["", ", or let me know if you want changes", ", and I'll take it from there"]
DIRECT = ["you can preview it in the editor", "open the editor", "upload your photos",
          "export the video", "open the Media panel", "download your video"]


@st.composite
def gui_sentence(draw: st.DrawFn, last: bool) -> str:
    if draw(st.booleans()):
        quote = draw(st.sampled_from(QUOTES))
        the = draw(st.sampled_from(["", "the "]))
        action = (draw(st.sampled_from(VERBS)) + " " + the + quote[0]
                  + draw(st.sampled_from(BUTTONS)) + quote[1] + draw(st.sampled_from(NOUNS)))
    else:
        action = draw(st.sampled_from(DIRECT))
    ends = [".", "!", ""] if last else [".", "!"]  # no full stop only at the end of a reply
    text = (draw(st.sampled_from(LEADS)) + action + draw(st.sampled_from(TAILS))
            + draw(st.sampled_from(OTHER)) + draw(st.sampled_from(ends)))
    return text[0].upper() + text[1:]


@st.composite
def reply(draw: st.DrawFn) -> tuple[list[str], str]:
    before = draw(st.lists(st.sampled_from(NEUTRAL), max_size=2))
    after = draw(st.lists(st.sampled_from(NEUTRAL), max_size=2))
    return before + after, " ".join(before + [draw(gui_sentence(last=not after))] + after)


@settings(max_examples=400, deadline=None)
@given(reply())
def test_generated_replies_become_grammatical_sentences(sample):
    kept, said = sample
    shown = translate(said)
    assert "lapsefile" in shown
    assert not re.search(r"please\s+lapsefile|lapsefile\s+will", shown, re.I)
    assert not re.search(r"lapsefile[^.]*in the top right", shown)
    assert not re.search(r"\b(?:click|press|tap|hit)\b|\bbutton\b|\bin the top right\b", shown,
                         re.I)
    assert "  " not in shown
    # Every sentence starts with a capital, or with lapsefile (a name it writes in lowercase).
    for start in re.findall(r"[.!?]\s+(\S+)", shown):
        assert start[0].isupper() or start.startswith("lapsefile"), (said, shown)
    assert shown[0].isupper() or shown.startswith("lapsefile")
    assert shown.rstrip()[-1] in ".!?"
    assert all(sentence in shown for sentence in kept)
    assert translate(shown) == shown


ZH_LEADS = ["", "请", "您可以", "准备好后，", "满意的话，", "如果满意，请"]
ZH_VERBS = ["点击", "单击", "点按"]
ZH_BUTTONS = ["导出", "渲染", "下载", "预览", "播放", "上传", "导入"]
ZH_QUOTES = [("", ""), ("「", "」"), ("“", "”"), ("【", "】")]
ZH_TAILS = ["", "按钮", "图标", "按钮即可渲染视频", "按钮保存到本地"]
ZH_OTHER = ["", "，或者告诉我还需要修改什么"]
ZH_NEUTRAL = ["已添加标题。", "完成！", "已在画面右下叠加 logo.png。"]


@st.composite
def zh_reply(draw: st.DrawFn) -> tuple[list[str], str]:
    quote = draw(st.sampled_from(ZH_QUOTES))
    sentence = (draw(st.sampled_from(ZH_LEADS)) + draw(st.sampled_from(ZH_VERBS)) + quote[0]
                + draw(st.sampled_from(ZH_BUTTONS)) + quote[1] + draw(st.sampled_from(ZH_TAILS))
                + draw(st.sampled_from(ZH_OTHER)) + "。")
    kept = draw(st.lists(st.sampled_from(ZH_NEUTRAL), max_size=2))
    return kept, "".join(kept) + sentence


@settings(max_examples=200, deadline=None)
@given(zh_reply())
def test_generated_chinese_replies_become_whole_sentences(sample):
    kept, said = sample
    shown = translate(said)
    assert "lapsefile" in shown and "点击" not in shown and "按钮" not in shown
    assert not re.search(r"请\s*lapsefile|lapsefile 将", shown)
    assert shown.endswith("。") and "。。" not in shown and "，。" not in shown
    assert shown.startswith("".join(kept))
    assert translate(shown) == shown
