"""An example wxpanel plugin: "ping" → "pong", "天气 城市" → a canned forecast.

Copy this file into the ``plugins`` folder beside wxpanel (or the folder
given with ``--plugins``); the panel lists it on the Rules page at once and
reloads it whenever you save a change.  A plugin runs after the built-in
rules, only for messages no rule answered (unless you tick "also when a
rule answered"), and the first plugin or source that answers wins.

A handler receives an :class:`IncomingMessage` (read-only):

* ``conversation`` — where an answer goes (a wxid, or ``…@chatroom``);
* ``sender`` — who wrote it; ``is_group`` — a group chat;
* ``type`` — WeChat's message type (``MessageType.TEXT`` for texts);
* ``content`` — the text, with the account's @mention removed;
* ``time`` — when it arrived (unix seconds); ``mentioned`` — @-ed in a group.

and returns ``None`` (no answer), a ``str``, ``Reply.text(...)``,
``Reply.picture(path)`` or a list of those (at most 5).  A handler that
raises, runs longer than its timeout (5 s by default) or returns anything
else switches its plugin off, with the error in the panel and the log; fix
the file and save it to switch the plugin on again.

Handlers run on a worker thread, one call at a time per plugin.  Keep them
quick; do not touch the panel from them.
"""

from __future__ import annotations

from wxpanel.core.sources.plugin_api import IncomingMessage, MessageType, Reply, handler

#: Canned answers; a real plugin would ask a weather service (with a short timeout).
FORECASTS = {
    "北京": "晴，-2～8°C，北风3级",
    "上海": "多云，9～15°C，东风2级",
    "广州": "小雨，18～24°C，南风2级",
}


@handler(name="ping", order=0)
def ping(message: IncomingMessage) -> str | None:
    """Answers "ping" (any case, surrounding spaces ignored) with "pong"."""
    if message.type is MessageType.TEXT and message.content.strip().lower() == "ping":
        return "pong"
    return None


@handler(name="weather", order=10)
def weather(message: IncomingMessage) -> Reply | None:
    """Answers "天气 城市" (e.g. "天气 北京") with that city's canned forecast."""
    if message.type is not MessageType.TEXT:
        return None
    words = message.content.split()
    if len(words) != 2 or words[0] != "天气":
        return None
    city = words[1]
    forecast = FORECASTS.get(city)
    if forecast is None:
        return Reply.text(f"暂时没有{city}的天气，可以试试：{'、'.join(FORECASTS)}")
    return Reply.text(f"{city}今天：{forecast}")
