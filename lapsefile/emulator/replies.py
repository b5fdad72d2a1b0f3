"""What the emulated agent says, in the words of a GUI editor's assistant (en and zh)."""

from __future__ import annotations

from typing import Any

from ..plan.instructions import ZH_POSITIONS, num

DONE = {
    "en": {
        "timeline": "I combined {photos} photos into a {duration}-second timelapse at {fps} fps "
                    "({width}x{height}).",
        "clip": "I placed {filename} on the video track: {duration} seconds at {fps} fps "
                "({width}x{height}).",
        "look": "I smoothed the timelapse.",
        "title": 'I added the title "{text}" from {start}s to {end}s.',
        "title:open": 'I added the title "{text}" from {start}s to the end.',
        "timestamp": "I added a capture-time stamp at the {position}.",
        "logo": "I placed {filename} at the {position} as an overlay.",
        "music": "I added {filename} as background music at {volume}% volume.",
    },
    "zh": {
        "timeline": "已将 {photos} 张照片合成为 {duration} 秒的延时视频"
                    "（{fps} fps，{width}x{height}）。",
        "clip": "已将 {filename} 放到视频轨道上：{duration} 秒，{fps} fps（{width}x{height}）。",
        "look": "已对延时视频进行平滑处理。",
        "title": "已添加标题“{text}”（{start} 秒至 {end} 秒）。",
        "title:open": "已添加标题“{text}”（{start} 秒至结尾）。",
        "timestamp": "已在画面{position}添加拍摄时间。",
        "logo": "已在画面{position}叠加 {filename}。",
        "music": "已添加背景音乐 {filename}，音量 {volume}%。",
    },
}
CHANGED = {
    "en": {
        "title:set": 'I updated the title "{name}".',
        "title:remove": 'I removed the title "{name}".',
        "timestamp:set": "I updated the capture-time stamp.",
        "timestamp:remove": "I removed the capture-time stamp.",
        "logo:set": "I updated the overlay {name}.",
        "logo:replace": "I replaced the overlay with {filename}.",
        "logo:remove": "I removed the logo overlay.",
        "music:set": "I updated the background music.",
        "music:replace": "I replaced the background music with {filename}.",
        "music:remove": "I removed the background music.",
        "look:set": "I updated the smoothing of the timelapse.",
        "look:remove": "I turned off the smoothing you named.",
    },
    "zh": {
        "title:set": "已更新标题“{name}”。",
        "title:remove": "已删除标题“{name}”。",
        "timestamp:set": "已更新拍摄时间。",
        "timestamp:remove": "已删除拍摄时间。",
        "logo:set": "已更新叠加图片 {name}。",
        "logo:replace": "已将叠加图片替换为 {filename}。",
        "logo:remove": "已删除标志。",
        "music:set": "已更新背景音乐。",
        "music:replace": "已将背景音乐替换为 {filename}。",
        "music:remove": "已删除背景音乐。",
        "look:set": "已更新延时视频的平滑处理。",
        "look:remove": "已关闭指定的平滑处理。",
    },
}
CLOSING = {"en": "Done! {what} You can preview it in the editor. Click Export to render your "
                 "video.",
           "zh": "完成！{what}您可以在编辑器中预览，点击“导出”即可渲染视频。"}
NOT_UNDERSTOOD = {
    "en": "I'm not sure what you'd like me to change. You can ask me to add titles, music, "
          "a logo or a timestamp, or open the Media panel to add clips.",
    "zh": "抱歉，我没有理解您的需求。您可以让我添加标题、音乐、标志或时间戳，"
          "或在素材面板中添加片段。",
}
TEMPORARY_ISSUE = {"en": "Sorry, we ran into a temporary issue. Please try again in a moment.",
                   "zh": "抱歉，服务出现临时问题，请稍后重试。"}
MISSING_FILE = {"en": "I couldn't find {what} among your uploads. Please upload it with the "
                      "Upload button and ask me again.",
                "zh": "在您上传的素材中找不到{what}。请先点击“上传”按钮上传后再试。"}
TOO_FEW_PHOTOS = {"en": "I can only see {found} uploaded photos, not {wanted}. Please upload the "
                        "rest with the Upload button first.",
                  "zh": "我只找到 {found} 张已上传的照片，而不是 {wanted} 张。请先上传其余照片。"}
NOT_ON_TIMELINE = {"en": "I couldn't find {what} on the timeline, so I left everything as it "
                          "was.",
                   "zh": "时间线上没有找到{what}，因此没有做任何修改。"}
WHICH_TITLE = {"en": "There are {count} titles on the timeline. Which one do you mean? Please "
                     "quote its text.",
               "zh": "时间线上有 {count} 个标题，请用引号注明要修改哪一个。"}
THINGS = {
    "en": {"title": 'the title "{target}"', "title:any": "a title", "timestamp": "a timestamp",
           "logo": "the logo {target}", "logo:any": "a logo",
           "music": "the background music {target}", "music:any": "background music",
           "look": "any smoothing"},
    "zh": {"title": "标题“{target}”", "title:any": "标题", "timestamp": "时间戳",
           "logo": "标志 {target}", "logo:any": "标志", "music": "背景音乐 {target}",
           "music:any": "背景音乐", "look": "平滑处理"},
}
NO_VIDEO = {"en": "There is no video on the timeline yet. Add your photos or a clip first, "
                  "then I can do that.",
            "zh": "时间线上还没有视频。请先添加照片或视频片段。"}


def done(kind: str, params: dict[str, Any], language: str, action: str = "add") -> str:
    shown = {key: _show(key, value, language) for key, value in params.items()
             if value is not None}
    shown["name"] = params.get("text") or params.get("target") or params.get("filename") or ""
    if kind == "title" and action == "add" and params.get("end") is None:
        kind = "title:open"
    if kind == "timeline" and params.get("photos") is None:
        shown["photos"] = {"en": "all the uploaded", "zh": "全部"}[language]
    template = DONE[language][kind] if action == "add" else CHANGED[language][f"{kind}:{action}"]
    return CLOSING[language].format(what=template.format_map(_Blank(shown)))


def missing(kind: str, target: str | None, language: str) -> str:
    """The refusal for an edit of something that is not on the timeline."""
    things = THINGS[language]
    what = things[kind] if target or f"{kind}:any" not in things else things[f"{kind}:any"]
    return NOT_ON_TIMELINE[language].format(what=what.format(target=target))


def _show(key: str, value: Any, language: str) -> Any:
    if key in ("volume", "size", "scale", "opacity") and isinstance(value, float):
        return num(value * 100)
    if key == "position" and language == "zh":
        return ZH_POSITIONS.get(value, value)
    if isinstance(value, float):
        return num(value)
    return value


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""
