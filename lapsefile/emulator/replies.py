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
        "timestamp": "已在画面{position}添加拍摄时间。",
        "logo": "已在画面{position}叠加 {filename}。",
        "music": "已添加背景音乐 {filename}，音量 {volume}%。",
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
NO_VIDEO = {"en": "There is no video on the timeline yet. Add your photos or a clip first, "
                  "then I can do that.",
            "zh": "时间线上还没有视频。请先添加照片或视频片段。"}


def done(kind: str, params: dict[str, Any], language: str) -> str:
    shown = {key: _show(key, value, language) for key, value in params.items()}
    what = DONE[language][kind].format_map(_Blank(shown))
    return CLOSING[language].format(what=what)


def _show(key: str, value: Any, language: str) -> Any:
    if key in ("volume", "size", "scale", "opacity") and isinstance(value, float):
        return num(value * 100)
    if key == "position" and language == "zh":
        return ZH_POSITIONS.get(value, value)
    if isinstance(value, float):
        return num(value)
    return value


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""
