"""Chinese words of the emulated agent (see :class:`.lexicon.Lexicon` for what each table is).

The text they are matched against is NFKC-normalized, so full-width punctuation (，：（）％)
arrives as its ASCII form.
"""

from __future__ import annotations

from .lexicon import Lexicon

FADES = (("fade_in", "淡入"), ("fade_out", "淡出"))
TEXT_SIZE = ("size", "高度|字号|大小|字高")
COLOURS = {"白色": "white", "黑色": "black", "黄色": "yellow", "红色": "red", "绿色": "green",
           "蓝色": "blue", "橙色": "orange", "灰色": "gray", "粉色": "pink", "紫色": "purple",
           "金色": "gold", "银色": "silver", "棕色": "brown"}
COLOUR_TOKEN = r"#[0-9a-f]{3,8}(?:@[\d.]+)?|[a-z]+(?:@[\d.]+)?|[\u4e00-\u9fff]{1,2}色"

CHINESE = Lexicon(
    language="zh",
    kinds=(
        ("timestamp", "时间戳|拍摄时间|拍摄日期|日期时间|时间水印|日期水印"),
        ("look", "平滑|去闪烁|闪烁|帧混合|混合|插帧|补帧|稳定|防抖"),
        ("logo", "标志|水印|徽标|台标|logo|贴纸|角标"),
        ("music", "背景音乐|音乐|配乐|音频|歌曲|bgm"),
        ("title", "标题|字幕|片名"),
        ("clip", "视频轨道|视频文件|上传的视频|视频片段"),
        ("timeline", "延时|缩时|照片"),
    ),
    weak_kinds=(("title", "文字|文本"), ("logo", "叠加")),
    verbs=(
        ("remove", "删除|删掉|去掉|移除|关闭|关掉|取消|撤掉|拿掉|清除|隐藏|不要显示"),
        ("replace", "替换|换成|更换|换为|换掉"),
        ("set", "改为|改成|修改|更改|调整|设为|设置|设成|移到|移动|显示|变为|变成|调到|调为"),
        ("add", "添加|加上|加入|增加|叠加|插入|合成|平滑|放上|放置|制作|生成|开启|打开"),
    ),
    weak_verbs=(("add", "使用|用"),),
    positions=(
        ("top-left", "左上"), ("top-right", "右上"), ("bottom-left", "左下"),
        ("bottom-right", "右下"), ("center", "中央|中间|正中|居中|中心"),
        ("top", "上方|顶部|上部|顶端|上面"), ("bottom", "下方|底部|下部|底端|下面"),
        ("left", "左侧|左边"), ("right", "右侧|右边"),
    ),
    fits=(("blur", "模糊"), ("contain", "黑边|完整显示|留黑"), ("cover", "裁剪|填满|铺满|充满")),
    anchors={
        "title": (("start", "从|自|开始"), ("end", "到|至|直到|结束"), *FADES,
                  ("length", "持续|显示"), ("first", "前"), TEXT_SIZE),
        "timestamp": (TEXT_SIZE,),
        "logo": (("opacity", "不透明"), ("scale", "宽度|大小|尺寸|缩放|宽")),
        "music": (("start", "音轨第|从|跳过|偏移"), *FADES, ("duration", "匹配"),
                  ("volume", "音量")),
        "timeline": (("hold", "每张|每幅|每一张|每个"), ("fps", "帧率|帧速率"),
                     ("duration", "时长|总长")),
        "look": (("deflicker", "闪烁|亮度|窗口"), ("blend", "混合|每"), ("stabilize", "平滑|路径"),
                 ("exposure", "曝光|渐变")),
    },
    after={
        "title": (*FADES, TEXT_SIZE),
        "timestamp": (TEXT_SIZE,),
        "logo": (("opacity", "不透明"), ("scale", "宽")),
        "music": (("start", "开始"), ("duration", "视频|延时"), ("volume", "音量")),
        "timeline": (("duration", "延时|视频|长"),),
        "look": (("blend", "混合"), ("deflicker", "窗口")),
    },
    filler=r"^(?:\s|的|画面)*$",
    look_parts=(("stabilize", "稳定|防抖"), ("exposure", "曝光"), ("deflicker", "闪烁"),
                ("blend", "混合"),
                ("interpolate", "插帧|补帧|插值")),
    music_fits=(("loop", "循环|重复"), ("cut", "截断|剪切|截取")),
    negation=r"(?:不要|不用|无需|不|无|别)\s*\S{0,2}$",
    mode=r"模式\s*[:=]?\s*(\w+)",
    both_fades="淡入淡出",
    colour=r"颜色\s*(?:为|是|设为|改为|改成|用|:)?\s*(" + COLOUR_TOKEN + ")",
    box_colour=(r"带\s*(\S+?)\s*底框", "(" + COLOUR_TOKEN + r")\s*底框"),
    box_on="底框|背景框|文字框|加框",
    box_off=r"(?:不带|不要|无|没有|去掉|取消)\s*\S{0,3}底框",
    colour_names=COLOURS,
    show_new=r"显示一个",
    file_stops=frozenset(),
    file_intro="",  # a Chinese word before a name already ends it
)
