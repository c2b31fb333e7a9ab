<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AIDialog</name>
    <message>
        <source>You are a helpful assistant replying in a WeChat chat. Be brief.</source>
        <translation>你是在微信聊天中替我回复的助手。回答要简短。</translation>
    </message>
    <message>
        <source>Edit AI model</source>
        <translation>编辑 AI 模型</translation>
    </message>
    <message>
        <source>New AI model</source>
        <translation>新建 AI 模型</translation>
    </message>
    <message>
        <source>A key is stored; type a new one to replace it</source>
        <translation>已保存密钥；输入新密钥可替换</translation>
    </message>
    <message>
        <source>Kept in the system&apos;s credential store</source>
        <translation>保存在系统凭据管理器中</translation>
    </message>
    <message>
        <source>Remove the stored key</source>
        <translation>删除已保存的密钥</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>接口地址（Base URL）：</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <source>Earlier messages sent along:</source>
        <translation>附带的历史消息条数：</translation>
    </message>
    <message>
        <source>Longest reply (characters):</source>
        <translation>回复最长字数：</translation>
    </message>
    <message>
        <source>Most tokens per answer:</source>
        <translation>每次回答最多 token 数：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度（temperature）：</translation>
    </message>
    <message>
        <source>Calls per minute, per conversation:</source>
        <translation>每个会话每分钟调用次数：</translation>
    </message>
    <message>
        <source>Calls per minute, in all:</source>
        <translation>全部会话每分钟调用次数：</translation>
    </message>
    <message>
        <source>Price per 1000 prompt tokens:</source>
        <translation>每 1000 个提示 token 的价格：</translation>
    </message>
    <message>
        <source>Price per 1000 completion tokens:</source>
        <translation>每 1000 个回复 token 的价格：</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>超时：</translation>
    </message>
    <message>
        <source>The new key is stored when you save.</source>
        <translation>保存时将存入新密钥。</translation>
    </message>
    <message>
        <source>A key is stored in the credential store.</source>
        <translation>凭据管理器中已保存密钥。</translation>
    </message>
    <message>
        <source>The credential store cannot be read.</source>
        <translation>无法读取凭据管理器。</translation>
    </message>
    <message>
        <source>No key stored.</source>
        <translation>尚未保存密钥。</translation>
    </message>
    <message>
        <source>a key has no spaces</source>
        <translation>密钥中不能有空格</translation>
    </message>
    <message>
        <source>no API key: most services refuse requests without one</source>
        <translation>没有 API 密钥：大多数服务会拒绝没有密钥的请求</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Where is demo.exe&apos;s exchange.db?</source>
        <extracomment>The real, empty exchange.db shipped with wxpanel (the demo copies it). Simulated traffic in the demo, events per second.</extracomment>
        <translation>demo.exe 的 exchange.db 在哪里？</translation>
    </message>
    <message>
        <source>exchange.db (exchange.db)</source>
        <translation>exchange.db (exchange.db)</translation>
    </message>
    <message>
        <source>SQLite files (*.db)</source>
        <translation>SQLite 文件 (*.db)</translation>
    </message>
    <message>
        <source>wxpanel</source>
        <translation>wxpanel</translation>
    </message>
    <message>
        <source>Something went wrong inside wxpanel. The details below can be copied.</source>
        <translation>wxpanel 内部出错。可以复制下面的详细信息。</translation>
    </message>
    <message>
        <source>Got it, I will look at it right away.</source>
        <translation>收到，我马上看一下。</translation>
    </message>
    <message>
        <source>wxpanel is already open on %1; it was brought to the front.</source>
        <translation>wxpanel 已经打开了 %1；已将其窗口切换到前台。</translation>
    </message>
</context>
<context>
    <name>AutoReplyControl</name>
    <message>
        <source>Auto-reply</source>
        <extracomment>The switch&apos;s keyboard shortcut, in the window. The &quot;limit reached&quot; banner goes when no cap was hit for this long. The switch changed (from any of its places): True = auto-replies on. A problem to show in the window&apos;s banner. An alert for the tray: (title, text).</extracomment>
        <translation>自动回复</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Timed messages</source>
        <translation>定时消息</translation>
    </message>
    <message>
        <source>%1 timed message(s) missed while wxpanel was closed: see Timed messages.</source>
        <translation>wxpanel 关闭期间错过了 %1 条定时消息：请查看“定时消息”。</translation>
    </message>
    <message>
        <source>Cannot switch auto-reply: %1</source>
        <translation>无法切换自动回复：%1</translation>
    </message>
    <message>
        <source>ON</source>
        <translation>开</translation>
    </message>
    <message>
        <source>OFF</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Auto-reply: %1</source>
        <translation>自动回复：%1</translation>
    </message>
    <message>
        <source>Switch every auto-reply on or off (%1)</source>
        <translation>打开或关闭全部自动回复（%1）</translation>
    </message>
    <message>
        <source>Auto-reply %1</source>
        <translation>自动回复 %1</translation>
    </message>
    <message>
        <source>wxpanel auto-reply</source>
        <translation>wxpanel 自动回复</translation>
    </message>
    <message>
        <source>Possible bot loop in %1: auto-replies there are paused. %2</source>
        <translation>%1 可能出现机器人互相回复的循环：已暂停在该会话自动回复。%2</translation>
    </message>
    <message>
        <source>Auto-reply limit reached %1: answers were dropped. %2</source>
        <translation>自动回复已达上限%1：部分回复被丢弃。%2</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>（%1）</translation>
    </message>
    <message>
        <source>A rule&apos;s picture cannot be sent %1: %2</source>
        <translation>规则的图片无法发送%1：%2</translation>
    </message>
    <message>
        <source>An answer source was switched off %1: %2</source>
        <translation>一个回复来源已被关闭 %1：%2</translation>
    </message>
    <message>
        <source>A message was passed over by the auto-reply %1: %2</source>
        <translation>自动回复跳过了一条消息%1：%2</translation>
    </message>
    <message>
        <source>A stored rule is invalid and was skipped %1: %2</source>
        <translation>一条已保存的规则无效，已跳过%1：%2</translation>
    </message>
    <message>
        <source>%1 timed message(s) were missed or failed: see Timed messages.</source>
        <translation>%1 条定时消息被错过或发送失败：请查看“定时消息”。</translation>
    </message>
    <message>
        <source>wxpanel timed messages</source>
        <translation>wxpanel 定时消息</translation>
    </message>
    <message>
        <source>Timed messages (%1)</source>
        <translation>定时消息（%1）</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Statistics</source>
        <extracomment>How often the checks are evaluated (and disks measured) without a new Health. The &quot;recovered&quot; strip hides itself after this long. Where the alert preferences live in settings.json (kept by the core and the panel). A check turned red (a :class:`~wxpanel.core.health.Transition`). A check that had turned red is green again. The checks were evaluated again (a tuple of :class:`Check`).</extracomment>
        <translation>统计</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>wxpanel: alert</source>
        <translation>wxpanel：告警</translation>
    </message>
    <message>
        <source>Recovered: %1</source>
        <translation>已恢复：%1</translation>
    </message>
    <message>
        <source>wxpanel: recovered</source>
        <translation>wxpanel：已恢复</translation>
    </message>
</context>
<context>
    <name>Display</name>
    <message>
        <source>Unknown</source>
        <extracomment>A preview is one line of at most this many characters. A bubble shows at most this much text (the rest is in the export). Payload kinds shown by the name of their message type.</extracomment>
        <translation>未知</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <source>Friend request</source>
        <translation>好友请求</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>名片</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>表情</translation>
    </message>
    <message>
        <source>Link or file</source>
        <translation>链接或文件</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>In</source>
        <translation>收到</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>发出</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>written</source>
        <translation>已写入</translation>
    </message>
    <message>
        <source>taken by demo.exe</source>
        <translation>demo.exe 已取走</translation>
    </message>
    <message>
        <source>stuck</source>
        <translation>卡住</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>[Link] %1</source>
        <translation>[链接] %1</translation>
    </message>
    <message>
        <source>[File] %1</source>
        <translation>[文件] %1</translation>
    </message>
    <message>
        <source>[Location] %1</source>
        <translation>[位置] %1</translation>
    </message>
    <message>
        <source>[Message] %1</source>
        <translation>[消息] %1</translation>
    </message>
    <message>
        <source>Not taken by demo.exe yet: is demo.exe running and WeChat logged in? It goes as soon as demo.exe takes it.</source>
        <translation>demo.exe 还没有取走：demo.exe 是否在运行、微信是否已登录？demo.exe 一取走就会发出。</translation>
    </message>
    <message>
        <source>Not sent. Check in WeChat whether it arrived before sending it again.</source>
        <translation>未发送。再次发送前，请先在微信里确认对方是否已收到。</translation>
    </message>
    <message>
        <source>[Picture] %1</source>
        <translation>[图片] %1</translation>
    </message>
    <message>
        <source>⚠ stored oddly by demo.exe: </source>
        <translation>⚠ demo.exe 存储异常：</translation>
    </message>
</context>
<context>
    <name>FeedModel</name>
    <message>
        <source>Time</source>
        <extracomment>Custom roles shared by the models and their delegates. A conversation entry as the list draws it, in one call: (name, preview, time, unread, is a group). Five roles were five Python calls per entry. The live feed keeps this many rows (about 1.5 KB each in its C++ model, and the message in Python); older ones are in history. Once over its cap, the feed forgets this share of it at once: a removal makes the view lay out and paint everything again, so it is done once per block (every 5 s at 200 events a second), not in every frame. Rows demo.exe stored oddly stand out; our own sends are told apart at a glance. A feed row&apos;s marks, worked out once when it arrives. What the text filter looks in, casefolded, made once per row it meets. 1 for a row whose cells are in the C++ model, 0 for a row still empty. Cell texts many rows share (a second&apos;s clock, a type&apos;s name, a direction and status), made once each instead of once per row.</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>发送者</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>内容</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>%1 is not a database: it cannot be demo.exe&apos;s exchange.db.</source>
        <extracomment>Where a replaced exchange.db goes: inside wxpanel&apos;s own data folder, never beside it.</extracomment>
        <translation>%1 不是数据库：它不可能是 demo.exe 的 exchange.db。</translation>
    </message>
    <message>
        <source>%1 is an SQLite database, but not demo.exe&apos;s: it lacks %2.</source>
        <translation>%1 是 SQLite 数据库，但不是 demo.exe 的：缺少 %2。</translation>
    </message>
    <message>
        <source>%1 is a folder, not an exchange.db file.</source>
        <translation>%1 是文件夹，不是 exchange.db 文件。</translation>
    </message>
    <message>
        <source>%1 is read-only: wxpanel must be able to delete the rows it has read.</source>
        <translation>%1 是只读的：wxpanel 需要删除已读取的行。</translation>
    </message>
    <message>
        <source>The folder of %1 is read-only: SQLite writes its journal beside the file.</source>
        <translation>%1 所在文件夹是只读的：SQLite 需要在文件旁写入日志文件。</translation>
    </message>
    <message>
        <source>There is no %1.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <source>wxpanel cannot use this file</source>
        <translation>wxpanel 无法使用这个文件</translation>
    </message>
    <message>
        <source>wxpanel needs the exchange.db that demo.exe uses, in demo.exe&apos;s folder. What do you want to do?</source>
        <translation>wxpanel 需要 demo.exe 使用的 exchange.db（在 demo.exe 所在文件夹中）。你想怎么做？</translation>
    </message>
    <message>
        <source>Choose another file…</source>
        <translation>选择其他文件…</translation>
    </message>
    <message>
        <source>Create a new exchange.db here</source>
        <translation>在这里新建 exchange.db</translation>
    </message>
    <message>
        <source>Open the demo</source>
        <translation>打开演示</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Create exchange.db?</source>
        <translation>新建 exchange.db？</translation>
    </message>
    <message>
        <source>There is no exchange.db at %1. Create an empty one?</source>
        <translation>%1 处没有 exchange.db。要新建一个空的吗？</translation>
    </message>
    <message>
        <source>demo.exe fills it once it runs in the same folder, with WeChat 2.6.8.51 logged in. To look around first without demo.exe, open the demo (wxpanel --demo).</source>
        <translation>demo.exe 在同一文件夹中运行、且微信 2.6.8.51 已登录后，会向其中写入消息。想先不用 demo.exe 看看，可以打开演示（wxpanel --demo）。</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Replace exchange.db?</source>
        <translation>替换 exchange.db？</translation>
    </message>
    <message>
        <source>%1 already exists. It will be moved to %2 and a new, empty exchange.db made in its place. demo.exe must not be running meanwhile.</source>
        <translation>%1 已存在。它会被移到 %2，并在原处新建一个空的 exchange.db。此时 demo.exe 不能在运行。</translation>
    </message>
    <message>
        <source>Nothing was created</source>
        <translation>没有新建任何文件</translation>
    </message>
    <message>
        <source>wxpanel needs demo.exe&apos;s exchange.db. To look around without demo.exe, start it with: wxpanel --demo</source>
        <translation>wxpanel 需要 demo.exe 的 exchange.db。想在没有 demo.exe 的情况下看看，请这样启动：wxpanel --demo</translation>
    </message>
</context>
<context>
    <name>HealthPage</name>
    <message>
        <source>Waiting for the first check…</source>
        <extracomment>Transitions kept in the page&apos;s &quot;recent changes&quot; list. The user asked for ``PRAGMA quick_check``. The &quot;play a sound&quot; switch changed.</extracomment>
        <translation>等待第一次检查…</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Check history integrity</source>
        <translation>检查历史库完整性</translation>
    </message>
    <message>
        <source>Runs PRAGMA quick_check on history.db; seconds on a large history</source>
        <translation>对 history.db 运行 PRAGMA quick_check；历史很大时需要几秒</translation>
    </message>
    <message>
        <source>Play a sound when a check turns red</source>
        <translation>检查项变红时播放提示音</translation>
    </message>
    <message>
        <source>Recent changes</source>
        <translation>最近的变化</translation>
    </message>
    <message>
        <source>%1 check(s) red: see below</source>
        <translation>%1 项检查为红色：见下方</translation>
    </message>
    <message>
        <source>Working, %1 warning(s)</source>
        <translation>运行中，%1 项警告</translation>
    </message>
    <message>
        <source>No sign of demo.exe yet: is it running beside wxpanel?</source>
        <translation>还没有看到 demo.exe 的活动：它是否在 wxpanel 旁边运行？</translation>
    </message>
    <message>
        <source>Everything is working</source>
        <translation>一切正常</translation>
    </message>
    <message>
        <source>Polling is paused: the checks resume with it</source>
        <translation>轮询已暂停：检查将随轮询一起恢复</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <source>The poller is not running: no check was made</source>
        <translation>轮询器未运行：未进行检查</translation>
    </message>
    <message>
        <source>Turned red: %1</source>
        <translation>变红：%1</translation>
    </message>
    <message>
        <source>Recovered: %1</source>
        <translation>已恢复：%1</translation>
    </message>
</context>
<context>
    <name>HistoryService</name>
    <message>
        <source>Cannot open history.db: %1</source>
        <extracomment>How long a statement waits for another program&apos;s lock before it gives up. How long a statement may run before it is interrupted. SQLite virtual-machine steps between two looks at the clock. The stores are usable (history.db is open). history.db could not be opened: why, for the window&apos;s banner.</extracomment>
        <translation>无法打开 history.db：%1</translation>
    </message>
</context>
<context>
    <name>LogPage</name>
    <message>
        <source>Debug and above</source>
        <extracomment>New lines are appended at most this often.</extracomment>
        <translation>调试及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅错误</translation>
    </message>
    <message>
        <source>Filter the log…</source>
        <translation>筛选日志…</translation>
    </message>
    <message>
        <source>Copy for a bug report</source>
        <translation>复制用于问题报告</translation>
    </message>
    <message>
        <source>Copies the versions of wxpanel, Python and SQLite and the lines shown</source>
        <translation>复制 wxpanel、Python 和 SQLite 的版本以及当前显示的日志行</translation>
    </message>
    <message>
        <source>The log is not being recorded</source>
        <translation>日志未被记录</translation>
    </message>
    <message>
        <source>Log file: %1</source>
        <translation>日志文件：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Main</source>
        <extracomment>Messages applied per turn of the event loop: a 2 000-row batch in one go would freeze the window for a visible moment. Messages are shown at most once per frame: demo.exe commits one row at a time, and 200 batches a second each inserting, laying out and painting kept the GUI thread busy; batches waiting for the next frame are merged. The poller already sends a round&apos;s messages at most every ``worker.RESULTS_EVERY`` (100 ms); this frame is a little shorter, or the two paces would lock in phase and one late frame would delay every later batch by as much. The conversation list (always on screen, every entry drawn in Python, and reordered by each batch: a layout that asks the model about every row) follows at a calmer pace than the open tab. A chat followed at its bottom keeps this many rows (up to twice as many). Typing pauses this long before the conversation search runs. A lock shorter than this is routine (demo.exe writing a row) and not worth a banner. The poller could not start (another panel, unusable file): the app shows it and exits. The window is closing for good (the poller is stopped): pages let go of their files. New preferences were applied (the theme among them): pages that paint follow. Every known conversation and contact with its names, from the poller.</extracomment>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop reading wx_event for now; nothing is lost, rows wait in the file</source>
        <translation>暂时停止读取 wx_event；不会丢失任何内容，记录会留在文件中</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Stop wxpanel (Ctrl+Q); queued replies wait</source>
        <translation>退出 wxpanel（Ctrl+Q）；排队中的回复会保留</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Live feed</source>
        <translation>实时消息</translation>
    </message>
    <message>
        <source>exchange.db: %1</source>
        <translation>exchange.db：%1</translation>
    </message>
    <message>
        <source>demo.exe: waiting for the first check</source>
        <translation>demo.exe：等待首次检查</translation>
    </message>
    <message>
        <source>Search names and messages…</source>
        <translation>搜索名称和消息…</translation>
    </message>
    <message>
        <source>Choose a conversation on the left</source>
        <translation>请在左侧选择一个会话</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Picture…</source>
        <translation>图片…</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Private</source>
        <translation>私聊</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>群聊</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>发出</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Flagged rows</source>
        <translation>异常记录</translation>
    </message>
    <message>
        <source>Filter the feed…</source>
        <translation>筛选消息…</translation>
    </message>
    <message>
        <source>Quit wxpanel?</source>
        <translation>退出 wxpanel？</translation>
    </message>
    <message>
        <source>%1 replies are still queued. They wait in wxpanel&apos;s history and are sent when wxpanel runs again. Quit now?</source>
        <translation>还有 %1 条回复在排队。它们保存在 wxpanel 的历史中，下次运行 wxpanel 时会发出。现在退出吗？</translation>
    </message>
    <message>
        <source>Type a reply: Enter sends, Shift+Enter new line, /code quick reply</source>
        <translation>输入回复：Enter 发送，Shift+Enter 换行，/代码 快捷回复</translation>
    </message>
    <message>
        <source>Type a reply: Ctrl+Enter sends, Enter new line, /code quick reply</source>
        <translation>输入回复：Ctrl+Enter 发送，Enter 换行，/代码 快捷回复</translation>
    </message>
    <message>
        <source>Cannot save the settings: %1</source>
        <translation>无法保存设置：%1</translation>
    </message>
    <message>
        <source>wxpanel opens %1 at its next start.</source>
        <translation>wxpanel 下次启动时将打开 %1。</translation>
    </message>
    <message>
        <source>History and settings in %1</source>
        <translation>历史记录和设置位于 %1</translation>
    </message>
    <message>
        <source>demo.exe: backlog %1 · pending %2 · queued %3 · stuck %4</source>
        <translation>demo.exe：积压 %1 · 待取 %2 · 排队 %3 · 卡住 %4</translation>
    </message>
    <message>
        <source>%1 is gone: wxpanel waits for it to come back. Was demo.exe&apos;s folder moved?</source>
        <translation>%1 不见了：wxpanel 正在等待它恢复。demo.exe 的文件夹是否被移动了？</translation>
    </message>
    <message>
        <source>The disk of %1 is full: free some space; wxpanel retries.</source>
        <translation>%1 所在的磁盘已满：请释放一些空间，wxpanel 会自动重试。</translation>
    </message>
    <message>
        <source>%1 is not demo.exe&apos;s exchange.db any more.</source>
        <translation>%1 已不再是 demo.exe 的 exchange.db。</translation>
    </message>
    <message>
        <source>Retrying. Check that the file exists and its folder is writable.</source>
        <translation>正在重试。请检查文件是否存在、所在文件夹是否可写。</translation>
    </message>
    <message>
        <source>exchange.db locked for %1 s by another program; waiting.</source>
        <translation>exchange.db 已被其他程序锁定 %1 秒；正在等待。</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Characters WeChat will not receive</source>
        <translation>微信收不到的字符</translation>
    </message>
    <message>
        <source>demo.exe passes text to WeChat through code page 936 (GBK), which lacks these characters: %1</source>
        <translation>demo.exe 通过代码页 936（GBK）把文字交给微信，其中没有这些字符：%1</translation>
    </message>
    <message>
        <source>Send without them, or cancel and edit the text?</source>
        <translation>去掉这些字符后发送，还是取消并修改文字？</translation>
    </message>
    <message>
        <source>Send without them</source>
        <translation>去掉后发送</translation>
    </message>
    <message>
        <source>Cannot save the pasted picture in %1</source>
        <translation>无法将粘贴的图片保存到 %1</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation>标为已读</translation>
    </message>
    <message>
        <source>Mute notifications</source>
        <translation>消息免打扰</translation>
    </message>
    <message>
        <source>Open the conversation</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Name this member…</source>
        <translation>为该成员命名…</translation>
    </message>
    <message>
        <source>Name this member</source>
        <translation>为该成员命名</translation>
    </message>
    <message>
        <source>Name for %1 (empty: none):</source>
        <translation>%1 的名称（留空：不命名）：</translation>
    </message>
    <message>
        <source>Show the raw text…</source>
        <translation>查看原始文本…</translation>
    </message>
    <message>
        <source>%1 new private messages</source>
        <translation>%1 条新的私聊消息</translation>
    </message>
    <message>
        <source>Waiting for demo.exe…

No message has arrived yet. Check that:
• demo.exe runs in %1, beside exchange.db
• WeChat 2.6.8.51 is running and logged in

Messages show here as soon as demo.exe writes them.</source>
        <translation>正在等待 demo.exe…

还没有收到任何消息。请检查：
• demo.exe 在 %1 中运行，与 exchange.db 在同一文件夹
• 微信 2.6.8.51 正在运行并已登录

demo.exe 一写入消息，就会显示在这里。</translation>
    </message>
    <message>
        <source>wxpanel</source>
        <translation>wxpanel</translation>
    </message>
    <message>
        <source>wxpanel — %1 unread</source>
        <translation>wxpanel — %1 条未读</translation>
    </message>
</context>
<context>
    <name>MissedRunsModel</name>
    <message>
        <source>Timed message</source>
        <translation>定时消息</translation>
    </message>
    <message>
        <source>Was due</source>
        <translation>原定时间</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>情况</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>missed: wxpanel was not running</source>
        <translation>已错过：当时 wxpanel 未运行</translation>
    </message>
    <message>
        <source>(and %1 earlier)</source>
        <translation>（之前还有 %1 次）</translation>
    </message>
</context>
<context>
    <name>Pictures</name>
    <message>
        <source>Send a picture</source>
        <extracomment>The preview in the confirmation box fits in this many pixels.</extracomment>
        <translation>发送图片</translation>
    </message>
    <message>
        <source>Send this picture?</source>
        <translation>发送这张图片吗？</translation>
    </message>
    <message>
        <source>Pictures (*.png *.jpg *.jpeg *.gif *.bmp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.gif *.bmp)</translation>
    </message>
</context>
<context>
    <name>PluginDialog</name>
    <message>
        <source>Plugin settings</source>
        <translation>插件设置</translation>
    </message>
    <message>
        <source>Plugin:</source>
        <translation>插件：</translation>
    </message>
    <message>
        <source>Timeout per call:</source>
        <translation>每次调用超时：</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>QuickReplyPicker</name>
    <message>
        <source>No quick reply matches</source>
        <extracomment>&quot;/&quot; at the start or after a space, then what was typed of the code. The list shows at most this many rows before it scrolls. A snippet is shown on one line of at most this many characters. The operator asked to edit the quick replies (the settings dialog).</extracomment>
        <translation>没有匹配的快捷回复</translation>
    </message>
    <message>
        <source>Edit quick replies…</source>
        <translation>编辑快捷回复…</translation>
    </message>
</context>
<context>
    <name>RawTextDialog</name>
    <message>
        <source>Raw text</source>
        <extracomment>What demo.exe can send as a picture (the core checks the content too). Send was asked for a text with characters WeChat cannot receive through demo.exe: (text, those characters). The text stays in the box until :meth:`send_without_unsendable` or the user edits it. A picture pasted from the clipboard or dropped as image data. Picture files dropped or pasted as file URLs (absolute local paths).</extracomment>
        <translation>原始文本</translation>
    </message>
</context>
<context>
    <name>RuleDialog</name>
    <message>
        <source>Choose a picture</source>
        <extracomment>Problems are shown once the operator changed something or pressed Save (at once when editing): a new form opens clean, not red.</extracomment>
        <translation>选择图片</translation>
    </message>
    <message>
        <source>Pictures (*.png *.jpg *.jpeg *.gif *.bmp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.gif *.bmp)</translation>
    </message>
    <message>
        <source>Edit rule</source>
        <extracomment>Known conversations and contacts (the page&apos;s, from the poller), for the pickers. The answer sources a rule may hand its question to, by name.</extracomment>
        <translation>编辑规则</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>新建规则</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>A name you will recognise</source>
        <translation>一个便于识别的名称</translation>
    </message>
    <message>
        <source>Answer keywords</source>
        <translation>回复关键词</translation>
    </message>
    <message>
        <source>Default reply (nothing else matched)</source>
        <translation>默认回复（没有其他规则匹配时）</translation>
    </message>
    <message>
        <source>Welcome a friend request</source>
        <translation>欢迎好友请求</translation>
    </message>
    <message>
        <source>Welcome someone joining a group</source>
        <translation>欢迎新成员入群</translation>
    </message>
    <message>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Let later rules answer too (otherwise this rule answers alone)</source>
        <translation>后面的规则也可以回复（否则只由本规则回复）</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>When the message…</source>
        <translation>当消息……</translation>
    </message>
    <message>
        <source>Add a trigger</source>
        <translation>添加触发条件</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Private chats and groups</source>
        <translation>私聊和群聊</translation>
    </message>
    <message>
        <source>Private chats only</source>
        <translation>仅私聊</translation>
    </message>
    <message>
        <source>Groups only</source>
        <translation>仅群聊</translation>
    </message>
    <message>
        <source>Only the conversations below</source>
        <translation>仅下面列出的会话</translation>
    </message>
    <message>
        <source>A name or wxid, picked from the list; comma separated</source>
        <translation>名称或 wxid，从列表中选择；用逗号分隔</translation>
    </message>
    <message>
        <source>Conversations or group members never answered</source>
        <translation>永不回复的会话或群成员</translation>
    </message>
    <message>
        <source>In groups, only when the account is @-mentioned</source>
        <translation>在群里，仅当本账号被 @ 时</translation>
    </message>
    <message>
        <source>The account&apos;s group nicknames (optional)</source>
        <translation>本账号的群昵称（可选）</translation>
    </message>
    <message>
        <source>Answer in:</source>
        <translation>回复范围：</translation>
    </message>
    <message>
        <source>Conversations:</source>
        <translation>会话：</translation>
    </message>
    <message>
        <source>Never answer:</source>
        <translation>不回复：</translation>
    </message>
    <message>
        <source>@ names:</source>
        <translation>@ 名称：</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>The text to send. Several texts: a line with --- between them.</source>
        <translation>要发送的文字。多条文字之间用单独一行 --- 隔开。</translation>
    </message>
    <message>
        <source>Placeholders: {sender} {nickname} {time} {date} {content}, regex groups {1} {name}</source>
        <translation>占位符：{sender} {nickname} {time} {date} {content}，正则分组 {1} {name}</translation>
    </message>
    <message>
        <source>Send every text, in order</source>
        <translation>按顺序发送全部文字</translation>
    </message>
    <message>
        <source>Send one text, at random</source>
        <translation>随机发送其中一条</translation>
    </message>
    <message>
        <source>Optional: a picture sent after the texts</source>
        <translation>可选：在文字之后发送的图片</translation>
    </message>
    <message>
        <source>Texts:</source>
        <translation>文字：</translation>
    </message>
    <message>
        <source>Several texts:</source>
        <translation>多条文字：</translation>
    </message>
    <message>
        <source>Picture:</source>
        <translation>图片：</translation>
    </message>
    <message>
        <source>(none: the rule answers by itself)</source>
        <translation>（无：由规则自己回复）</translation>
    </message>
    <message>
        <source>The rule decides when to answer; the chosen webhook, AI model or plugin writes the answer. It runs even when it is off in the sources&apos; chain.</source>
        <translation>规则决定何时回复；所选的 Webhook、AI 模型或插件撰写回复内容。即使它在回复来源链中已关闭，也会运行。</translation>
    </message>
    <message>
        <source>Let an answer source write the reply:</source>
        <translation>由回复来源撰写回复：</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Only between</source>
        <translation>仅在</translation>
    </message>
    <message>
        <source>and</source>
        <translation>至</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>The least time between two answers of this rule in one conversation</source>
        <translation>本规则在同一会话中两次回复之间的最短间隔</translation>
    </message>
    <message>
        <source>Hours:</source>
        <translation>时段：</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>星期：</translation>
    </message>
    <message>
        <source>Cooldown:</source>
        <translation>冷却时间：</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Triggers</source>
        <translation>触发条件</translation>
    </message>
    <message>
        <source>Trigger %1</source>
        <translation>触发条件 %1</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Never answer</source>
        <translation>不回复</translation>
    </message>
    <message>
        <source>@ names</source>
        <translation>@ 名称</translation>
    </message>
    <message>
        <source>Reply text %1</source>
        <translation>回复文字 %1</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Answer source</source>
        <translation>回复来源</translation>
    </message>
    <message>
        <source>Hours and days</source>
        <translation>时段和星期</translation>
    </message>
    <message>
        <source>Cooldown</source>
        <translation>冷却时间</translation>
    </message>
</context>
<context>
    <name>RulesModel</name>
    <message>
        <source>On</source>
        <extracomment>The user switched a rule on or off in the view: (rule id, enabled). The user moved rows: the new order of every rule id.</extracomment>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Triggers</source>
        <translation>触发条件</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>匹配次数</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已回复</translation>
    </message>
    <message>
        <source>Last matched</source>
        <translation>最近匹配</translation>
    </message>
    <message>
        <source>%1 (never with demo.exe)</source>
        <translation>%1（demo.exe 下永不触发）</translation>
    </message>
    <message>
        <source>(when nothing else matched)</source>
        <translation>（没有其他规则匹配时）</translation>
    </message>
    <message>
        <source>(friend request)</source>
        <translation>（好友请求）</translation>
    </message>
    <message>
        <source>(someone joined a group)</source>
        <translation>（有人入群）</translation>
    </message>
    <message>
        <source>Private chats</source>
        <translation>私聊</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>群聊</translation>
    </message>
    <message>
        <source>Private chats and groups</source>
        <translation>私聊和群聊</translation>
    </message>
    <message>
        <source>%1 chosen</source>
        <translation>指定的 %1 个会话</translation>
    </message>
    <message>
        <source>when @-mentioned</source>
        <translation>被 @ 时</translation>
    </message>
    <message>
        <source>%1 excluded</source>
        <translation>排除 %1 个</translation>
    </message>
    <message>
        <source>(+%1 more)</source>
        <translation>（另有 %1 条）</translation>
    </message>
    <message>
        <source>[picture]</source>
        <translation>[图片]</translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation>→ %1</translation>
    </message>
</context>
<context>
    <name>RulesPage</name>
    <message>
        <source>until %1</source>
        <translation>至 %1</translation>
    </message>
    <message>
        <source>history.db is busy; try again in a moment</source>
        <translation>history.db 正忙，请稍后再试</translation>
    </message>
    <message>
        <source>Delete “%1”</source>
        <translation>删除“%1”</translation>
    </message>
    <message>
        <source>Add…</source>
        <extracomment>Something went wrong writing or reading (for the window&apos;s banner). Known conversations and contacts, given by the poller (see set_directory). The rules and counters last read from the store.</extracomment>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Answer before the rule above</source>
        <translation>优先于上面的规则回复</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新读取</translation>
    </message>
    <message>
        <source>Read the rules again (after a command-line import)</source>
        <translation>重新读取规则（例如在命令行导入之后）</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>The account&apos;s nicknames and the safety limits</source>
        <translation>账号昵称和安全限制</translation>
    </message>
    <message>
        <source>The first matching rule answers; drag rows to reorder. Changes apply at once.</source>
        <translation>由第一条匹配的规则回复；拖动行可调整顺序。修改立即生效。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Answer these conversations again now</source>
        <translation>现在恢复自动回复这些会话</translation>
    </message>
    <message>
        <source>Try it</source>
        <translation>试一试</translation>
    </message>
    <message>
        <source>wxid_… (private) or …@chatroom (group)</source>
        <translation>wxid_…（私聊）或 …@chatroom（群聊）</translation>
    </message>
    <message>
        <source>In a group: the member who writes</source>
        <translation>群聊中：发消息的成员</translation>
    </message>
    <message>
        <source>A sample message</source>
        <translation>一条示例消息</translation>
    </message>
    <message>
        <source>Try</source>
        <translation>试试</translation>
    </message>
    <message>
        <source>Conversation:</source>
        <translation>会话：</translation>
    </message>
    <message>
        <source>Sender:</source>
        <translation>发送者：</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>消息：</translation>
    </message>
    <message>
        <source>Which rule would answer, and exactly what it would send, shows here.</source>
        <translation>这里会显示哪条规则会回复，以及它将发送的确切内容。</translation>
    </message>
    <message>
        <source>Rules: %1</source>
        <translation>规则：%1</translation>
    </message>
    <message>
        <source>Loop detection paused auto-replies in: %1</source>
        <translation>循环检测已暂停以下会话的自动回复：%1</translation>
    </message>
    <message>
        <source>The database is not open yet</source>
        <translation>数据库尚未打开</translation>
    </message>
    <message>
        <source>Enter a conversation: a name, a wxid or a …@chatroom id</source>
        <translation>请输入会话：名称、wxid 或 …@chatroom 群 ID</translation>
    </message>
    <message>
        <source>Never with demo.exe:</source>
        <translation>在 demo.exe 下永不触发：</translation>
    </message>
    <message>
        <source>Rule “%1” answers %2</source>
        <translation>规则“%1”回复 %2</translation>
    </message>
    <message>
        <source>but not now: %1</source>
        <translation>但现在不会：%1</translation>
    </message>
    <message>
        <source>One of these, at random:</source>
        <translation>随机发送其中一条：</translation>
    </message>
    <message>
        <source>[picture] %1</source>
        <translation>[图片] %1</translation>
    </message>
    <message>
        <source>…then the answer source “%1” writes the reply</source>
        <translation>……然后由回复来源“%1”撰写回复</translation>
    </message>
    <message>
        <source>No rule answers this message.</source>
        <translation>没有规则回复这条消息。</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>The placeholders say:</source>
        <translation>占位符的值：</translation>
    </message>
    <message>
        <source>Every rule looked at:</source>
        <translation>检查过的每条规则：</translation>
    </message>
</context>
<context>
    <name>SafetyDialog</name>
    <message>
        <source>Auto-reply settings</source>
        <translation>自动回复设置</translation>
    </message>
    <message>
        <source>How the account is @-mentioned in groups</source>
        <translation>本账号在群里被 @ 时用的名字</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Account nicknames:</source>
        <translation>账号昵称：</translation>
    </message>
    <message>
        <source>At most per minute, in all:</source>
        <translation>每分钟最多（全部）：</translation>
    </message>
    <message>
        <source>At most per minute, per conversation:</source>
        <translation>每分钟最多（每个会话）：</translation>
    </message>
    <message>
        <source>Loop: answers in a row:</source>
        <translation>循环：连续回复次数：</translation>
    </message>
    <message>
        <source>Loop: each within:</source>
        <translation>循环：每次间隔不超过：</translation>
    </message>
    <message>
        <source>Loop: then pause for:</source>
        <translation>循环：随后暂停：</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>exchange.db (after a restart):</source>
        <translation>exchange.db（重启后生效）：</translation>
    </message>
    <message>
        <source>Enter sends (Shift+Enter: new line)</source>
        <translation>Enter 发送（Shift+Enter 换行）</translation>
    </message>
    <message>
        <source>Notify me of new private messages</source>
        <translation>新的私聊消息时通知我</translation>
    </message>
    <message>
        <source>Closing the window keeps wxpanel in the tray</source>
        <translation>关闭窗口时将 wxpanel 保留在系统托盘</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language (after a restart):</source>
        <translation>语言（重启后生效）：</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Quick replies: type /code in the reply box</source>
        <translation>快捷回复：在回复框中输入 /代码</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Add</source>
        <extracomment>Says which quick replies hold characters WeChat cannot receive (code page 936).</extracomment>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Where is demo.exe&apos;s exchange.db?</source>
        <translation>demo.exe 的 exchange.db 在哪里？</translation>
    </message>
    <message>
        <source>SQLite files (*.db)</source>
        <translation>SQLite 文件 (*.db)</translation>
    </message>
    <message>
        <source>Pacing of sends (after a restart)</source>
        <translation>发送节奏（重启后生效）</translation>
    </message>
    <message>
        <source>Least gap (s)</source>
        <translation>最小间隔（秒）</translation>
    </message>
    <message>
        <source>Random extra (s)</source>
        <translation>随机附加（秒）</translation>
    </message>
    <message>
        <source>At most per minute</source>
        <translation>每分钟最多</translation>
    </message>
    <message>
        <source>Manual replies</source>
        <translation>手动回复</translation>
    </message>
    <message>
        <source>Automatic sends</source>
        <translation>自动发送</translation>
    </message>
    <message>
        <source>WeChat will not receive: %1</source>
        <translation>微信收不到：%1</translation>
    </message>
</context>
<context>
    <name>SourceDialog</name>
    <message>
        <source>Only when the account is @-mentioned</source>
        <translation>仅在账号被 @ 时</translation>
    </message>
    <message>
        <source>Every group message</source>
        <translation>所有群消息</translation>
    </message>
    <message>
        <source>Never in groups</source>
        <translation>群聊中从不</translation>
    </message>
    <message>
        <source>A name to recognise it by</source>
        <translation>便于识别的名称</translation>
    </message>
    <message>
        <source>Also asked about messages a rule already answered</source>
        <translation>规则已回复的消息也询问它</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Timeout</source>
        <translation>超时</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>In groups:</source>
        <translation>群聊中：</translation>
    </message>
    <message>
        <source>a source of this kind with this name exists already</source>
        <translation>已有同类型、同名称的回复来源</translation>
    </message>
</context>
<context>
    <name>SourcesControl</name>
    <message>
        <source>Answer sources</source>
        <translation>回复来源</translation>
    </message>
    <message>
        <source>Plugins, webhooks and AI models after the rules</source>
        <translation>规则之后的插件、Webhook 和 AI 模型</translation>
    </message>
    <message>
        <source>Answer sources (%1 failing)</source>
        <translation>回复来源（%1 个出错）</translation>
    </message>
</context>
<context>
    <name>SourcesModel</name>
    <message>
        <source>Plugin</source>
        <translation>插件</translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>AI model</source>
        <translation>AI 模型</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>File or address</source>
        <translation>文件或地址</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已回复</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Mean %1, last %2</source>
        <translation>平均 %1，最近 %2</translation>
    </message>
    <message>
        <source>(file not found: %1.py)</source>
        <translation>（找不到文件：%1.py）</translation>
    </message>
    <message>
        <source>Switched off by an error: %1</source>
        <translation>因错误已停用：%1</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>最近错误：%1</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>No API key</source>
        <translation>没有 API 密钥</translation>
    </message>
    <message>
        <source>Ready, not asked yet</source>
        <translation>就绪，尚未调用</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>正常</translation>
    </message>
</context>
<context>
    <name>SourcesPage</name>
    <message>
        <source>history.db is busy; try again in a moment</source>
        <translation>history.db 正忙，请稍后再试</translation>
    </message>
    <message>
        <source>every message</source>
        <translation>所有消息</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>only when the account is @-mentioned</source>
        <translation>仅在账号被 @ 时</translation>
    </message>
    <message>
        <source>Add webhook…</source>
        <extracomment>The sources and statuses last read from the store.</extracomment>
        <translation>添加 Webhook…</translation>
    </message>
    <message>
        <source>Forward messages as JSON to an HTTP address</source>
        <translation>把消息以 JSON 转发到一个 HTTP 地址</translation>
    </message>
    <message>
        <source>Add AI model…</source>
        <translation>添加 AI 模型…</translation>
    </message>
    <message>
        <source>Answer through an OpenAI-compatible chat model</source>
        <translation>通过兼容 OpenAI 的对话模型回复</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Ask it before the one above</source>
        <translation>排在上一个之前询问</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Reload plugin</source>
        <translation>重新加载插件</translation>
    </message>
    <message>
        <source>Load the plugin&apos;s file again (after fixing it)</source>
        <translation>重新加载插件文件（修复之后）</translation>
    </message>
    <message>
        <source>Open plugins folder</source>
        <translation>打开插件文件夹</translation>
    </message>
    <message>
        <source>Plugins are the .py files in this folder</source>
        <translation>此文件夹中的 .py 文件就是插件</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the list again (plugin files found meanwhile)</source>
        <translation>重新读取列表（包括期间新发现的插件文件）</translation>
    </message>
    <message>
        <source>Choose a source to see its settings and status.</source>
        <translation>选择一个来源以查看其设置和状态。</translation>
    </message>
    <message>
        <source>Asked in this order after the rules, about messages no rule answered.</source>
        <translation>在规则之后按此顺序询问，只问没有规则回复的消息。</translation>
    </message>
    <message>
        <source>The first answer is sent. Drag rows to reorder.</source>
        <translation>发送第一个回答。拖动行可调整顺序。</translation>
    </message>
    <message>
        <source>Plugins are the .py files in: %1</source>
        <translation>插件是以下文件夹中的 .py 文件：%1</translation>
    </message>
    <message>
        <source>Answer sources: %1</source>
        <translation>回复来源：%1</translation>
    </message>
    <message>
        <source>A plugin goes when its file is removed from the plugins folder</source>
        <translation>从插件文件夹中删除文件即可移除插件</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>not found in the folders</source>
        <translation>在插件文件夹中找不到</translation>
    </message>
    <message>
        <source>Timeout per call</source>
        <translation>每次调用超时</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Timeout per attempt</source>
        <translation>每次尝试超时</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>重试次数</translation>
    </message>
    <message>
        <source>the credential store cannot be read</source>
        <translation>无法读取凭据管理器</translation>
    </message>
    <message>
        <source>stored in the system&apos;s credential store</source>
        <translation>已保存在系统凭据管理器中</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>接口地址（Base URL）</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Earlier messages sent along</source>
        <translation>附带的历史消息条数</translation>
    </message>
    <message>
        <source>Longest reply</source>
        <translation>回复最长字数</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度（temperature）</translation>
    </message>
    <message>
        <source>Rate limits</source>
        <translation>频率限制</translation>
    </message>
    <message>
        <source>%1 per minute per conversation, %2 per minute in all</source>
        <translation>每个会话每分钟 %1 次，全部每分钟 %2 次</translation>
    </message>
    <message>
        <source>Price per 1000 tokens</source>
        <translation>每 1000 个 token 的价格</translation>
    </message>
    <message>
        <source>prompt %1, completion %2</source>
        <translation>提示 %1，回复 %2</translation>
    </message>
    <message>
        <source>In groups</source>
        <translation>群聊中</translation>
    </message>
    <message>
        <source>also about messages a rule answered</source>
        <translation>规则已回复的消息也询问</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用</translation>
    </message>
    <message>
        <source>%1, answered %2, failed %3</source>
        <translation>%1 次，回复 %2 次，失败 %3 次</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>mean %1, last %2</source>
        <translation>平均 %1，最近 %2</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>%1 prompt, %2 completion; cost %3</source>
        <translation>提示 %1，回复 %2；费用 %3</translation>
    </message>
    <message>
        <source>Last asked</source>
        <translation>最近询问</translation>
    </message>
    <message>
        <source>off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Switched off by an error: %1</source>
        <translation>因错误已停用：%1</translation>
    </message>
    <message>
        <source>Fix the file and it is loaded and switched on again by itself.</source>
        <translation>修复文件后，它会自动重新加载并启用。</translation>
    </message>
    <message>
        <source>Switch it on again once the problem is fixed.</source>
        <translation>问题解决后请重新启用它。</translation>
    </message>
    <message>
        <source>Last error %1: %2</source>
        <translation>最近错误 %1：%2</translation>
    </message>
    <message>
        <source>The database is not open yet</source>
        <translation>数据库尚未打开</translation>
    </message>
    <message>
        <source>Delete %1 “%2”?</source>
        <translation>删除%1“%2”？</translation>
    </message>
    <message>
        <source>Its API key is removed from the credential store too.</source>
        <translation>它的 API 密钥也会从凭据管理器中删除。</translation>
    </message>
    <message>
        <source>Delete answer source</source>
        <translation>删除回复来源</translation>
    </message>
    <message>
        <source>Cannot reload %1: %2</source>
        <translation>无法重新加载 %1：%2</translation>
    </message>
    <message>
        <source>Cannot create %1: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
</context>
<context>
    <name>StatsPage</name>
    <message>
        <source>Waiting for the first figures…</source>
        <extracomment>How often a visible page asks for fresh figures. A request unanswered this long (the poller stopped meanwhile) no longer blocks new ones. The page wants fresh figures (shown, on its timer, or the Refresh button). New figures are on screen. Seconds from the last request to its figures on screen.</extracomment>
        <translation>等待第一批数据…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the figures again now</source>
        <translation>立即重新读取数据</translation>
    </message>
    <message>
        <source>Messages per minute:</source>
        <translation>每分钟消息数：</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>最近一小时</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>最近一天</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Since start</source>
        <translation>开始以来</translation>
    </message>
    <message>
        <source>In</source>
        <translation>收到</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>发出</translation>
    </message>
    <message>
        <source>· auto replies</source>
        <translation>· 自动回复</translation>
    </message>
    <message>
        <source>· manual replies</source>
        <translation>· 手动回复</translation>
    </message>
    <message>
        <source>· timed messages</source>
        <translation>· 定时消息</translation>
    </message>
    <message>
        <source>· typed on the phone</source>
        <translation>· 手机上发送</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>First response in private chats (24 h)</source>
        <translation>私聊首次回复（24 小时）</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>回复数</translation>
    </message>
    <message>
        <source>Chats waiting for an answer</source>
        <translation>等待回复的会话</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>wx_event backlog</source>
        <translation>wx_event 积压</translation>
    </message>
    <message>
        <source>Pending in wx_command</source>
        <translation>wx_command 待处理</translation>
    </message>
    <message>
        <source>· oldest of ours</source>
        <translation>· 我们最早的一条</translation>
    </message>
    <message>
        <source>Waiting in our outbox</source>
        <translation>发件箱中等待</translation>
    </message>
    <message>
        <source>Stuck commands</source>
        <translation>卡住的命令</translation>
    </message>
    <message>
        <source>Events per minute (15 min)</source>
        <translation>每分钟事件数（15 分钟）</translation>
    </message>
    <message>
        <source>AI models</source>
        <translation>AI 模型</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>提示 token</translation>
    </message>
    <message>
        <source>Completion tokens</source>
        <translation>回复 token</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>The cost is in the currency of the prices set for each AI model</source>
        <translation>费用的货币单位与各 AI 模型设置的价格相同</translation>
    </message>
    <message>
        <source>Busiest conversations</source>
        <translation>最活跃的会话</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Last message</source>
        <translation>最后一条消息</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>In wx_command for</source>
        <translation>在 wx_command 中已有</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Recent errors</source>
        <translation>最近的错误</translation>
    </message>
    <message>
        <source>Cannot read the statistics: %1</source>
        <translation>无法读取统计数据：%1</translation>
    </message>
    <message>
        <source>Updated at %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <source>Stuck commands (%1)</source>
        <translation>卡住的命令（%1）</translation>
    </message>
    <message>
        <source>Recent errors (%1)</source>
        <translation>最近的错误（%1）</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
</context>
<context>
    <name>TimedDialog</name>
    <message>
        <source>Edit timed message</source>
        <translation>编辑定时消息</translation>
    </message>
    <message>
        <source>New timed message</source>
        <translation>新建定时消息</translation>
    </message>
    <message>
        <source>e.g. Morning greeting</source>
        <translation>例如：早安问候</translation>
    </message>
    <message>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>A name or wxid, picked from the list; comma separated</source>
        <translation>名称或 wxid，从列表中选择；用逗号分隔</translation>
    </message>
    <message>
        <source>The text; {time} and {date} are filled in</source>
        <translation>文字；{time} 和 {date} 会自动填入</translation>
    </message>
    <message>
        <source>Optional: a picture sent after the text</source>
        <translation>可选：在文字之后发送的图片</translation>
    </message>
    <message>
        <source>Once</source>
        <translation>一次</translation>
    </message>
    <message>
        <source>Every day</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>Every week</source>
        <translation>每周</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Send to:</source>
        <translation>发送给：</translation>
    </message>
    <message>
        <source>Text:</source>
        <translation>文字：</translation>
    </message>
    <message>
        <source>Picture:</source>
        <translation>图片：</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>重复：</translation>
    </message>
    <message>
        <source>At:</source>
        <translation>时间：</translation>
    </message>
    <message>
        <source>Time:</source>
        <translation>时刻：</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>星期：</translation>
    </message>
    <message>
        <source>that time has passed</source>
        <translation>该时间已经过去</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>发送给</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>At</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时刻</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>星期</translation>
    </message>
</context>
<context>
    <name>TimedModel</name>
    <message>
        <source>On</source>
        <extracomment>The user switched a timed message on or off: (id, enabled). Known contacts, so that targets show as &quot;name (wxid)&quot;.</extracomment>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间安排</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下次</translation>
    </message>
    <message>
        <source>To</source>
        <translation>发送给</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>[picture]</source>
        <translation>[图片]</translation>
    </message>
    <message>
        <source>once, %1</source>
        <translation>一次，%1</translation>
    </message>
    <message>
        <source>daily at %1</source>
        <translation>每天 %1</translation>
    </message>
    <message>
        <source>weekly at %1 on %2</source>
        <translation>每周 %1（%2）</translation>
    </message>
</context>
<context>
    <name>TimedPage</name>
    <message>
        <source>Delete “%1”</source>
        <translation>删除“%1”</translation>
    </message>
    <message>
        <source>Add…</source>
        <extracomment>The operator asked to send a missed run now: the window passes it to the poller. How many missed or failed runs wait for a decision. Known conversations and contacts, given by the poller (the dialog picks from them). The timed messages last read from the store.</extracomment>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Missed runs</source>
        <translation>错过的发送</translation>
    </message>
    <message>
        <source>Times missed while wxpanel was closed: nothing is sent late unless you ask.</source>
        <translation>wxpanel 关闭期间错过的时间：除非你要求，否则不会补发。</translation>
    </message>
    <message>
        <source>Send now</source>
        <translation>立即发送</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Dismiss all</source>
        <translation>全部忽略</translation>
    </message>
    <message>
        <source>Timed messages: %1</source>
        <translation>定时消息：%1</translation>
    </message>
    <message>
        <source>Cannot send the missed message: %1</source>
        <translation>无法发送错过的消息：%1</translation>
    </message>
    <message>
        <source>The database is not open yet</source>
        <translation>数据库尚未打开</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Show wxpanel</source>
        <extracomment>More new messages than this in one batch make one summary notification. The user clicked the icon: show the window. &quot;Quit&quot; in the icon&apos;s menu. The auto-reply switch in the icon&apos;s menu was flipped (True: on).</extracomment>
        <translation>显示 wxpanel</translation>
    </message>
    <message>
        <source>Auto-reply</source>
        <translation>自动回复</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>TriggerRow</name>
    <message>
        <source>Keyword or regular expression</source>
        <extracomment>Between two reply texts in the text box. A new rule starts with a cooldown: a safe default against answering every message. A saver returns None when saved, else the reason to show.</extracomment>
        <translation>关键词或正则表达式</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>is exactly</source>
        <translation>完全等于</translation>
    </message>
    <message>
        <source>starts with</source>
        <translation>开头是</translation>
    </message>
    <message>
        <source>regular expression</source>
        <translation>正则表达式</translation>
    </message>
    <message>
        <source>Ignore case</source>
        <translation>忽略大小写</translation>
    </message>
    <message>
        <source>Full/half width alike</source>
        <translation>全角半角视为相同</translation>
    </message>
    <message>
        <source>Remove this trigger</source>
        <translation>删除此触发条件</translation>
    </message>
</context>
<context>
    <name>WebhookDialog</name>
    <message>
        <source>Edit webhook</source>
        <translation>编辑 Webhook</translation>
    </message>
    <message>
        <source>New webhook</source>
        <translation>新建 Webhook</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL：</translation>
    </message>
    <message>
        <source>Timeout per attempt:</source>
        <translation>每次尝试超时：</translation>
    </message>
    <message>
        <source>Retries:</source>
        <translation>重试次数：</translation>
    </message>
    <message>
        <source>First retry after:</source>
        <translation>首次重试间隔：</translation>
    </message>
    <message>
        <source>Each incoming text is POSTed as JSON; the text or picture URL it returns is sent.</source>
        <translation>每条收到的文字以 JSON 格式 POST 过去；发送它返回的文字或图片 URL。</translation>
    </message>
    <message>
        <source>Retried after a timeout, a 5xx or a 429.</source>
        <translation>超时、5xx 或 429 时会重试。</translation>
    </message>
</context>
<context>
    <name>Weekdays</name>
    <message>
        <source>Mon</source>
        <extracomment>The object under a row, for views and tests. The mime type of rows dragged inside the rules table.</extracomment>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>every day</source>
        <translation>每天</translation>
    </message>
</context>
<context>
    <name>health</name>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>正常</translation>
    </message>
</context>
<context>
    <name>texts</name>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>must be a whole number of at least 1</source>
        <comment>at_least_one</comment>
        <translation>必须是不小于 1 的整数</translation>
    </message>
    <message>
        <source>must be a positive number of seconds</source>
        <comment>positive_seconds</comment>
        <translation>必须是正数（秒）</translation>
    </message>
    <message>
        <source>empty nickname</source>
        <comment>empty_nickname</comment>
        <translation>昵称为空</translation>
    </message>
    <message>
        <source>empty keyword</source>
        <comment>empty_keyword</comment>
        <translation>关键词为空</translation>
    </message>
    <message>
        <source>bad regular expression: {detail}</source>
        <comment>bad_regex</comment>
        <translation>正则表达式有误：{detail}</translation>
    </message>
    <message>
        <source>not supported by the safe regular-expression engine (RE2: no backreferences, no look-ahead or look-behind such as (?=…)): {detail}</source>
        <comment>regex_unsupported</comment>
        <translation>安全正则引擎不支持（RE2：没有反向引用，也没有 (?=…) 这样的前瞻或后顾）：{detail}</translation>
    </message>
    <message>
        <source>regular expression too big to match quickly: {detail}</source>
        <comment>regex_too_big</comment>
        <translation>正则表达式太大，无法快速匹配：{detail}</translation>
    </message>
    <message>
        <source>group name &apos;{name}&apos; is taken by the placeholder {placeholder}</source>
        <comment>group_name_taken</comment>
        <translation>分组名“{name}”已被占位符 {placeholder} 占用</translation>
    </message>
    <message>
        <source>matches an empty text, so it matches every message</source>
        <comment>regex_matches_empty</comment>
        <translation>能匹配空文本，因此会匹配每一条消息</translation>
    </message>
    <message>
        <source>contains full-width characters; with width folding the text is searched in half-width form, so write the pattern half-width</source>
        <comment>regex_full_width</comment>
        <translation>包含全角字符；开启全角半角视为相同时，会按半角形式查找文本，请用半角字符书写表达式</translation>
    </message>
    <message>
        <source>a rule needs a name</source>
        <comment>rule_needs_name</comment>
        <translation>规则需要一个名称</translation>
    </message>
    <message>
        <source>a keyword rule needs at least one trigger</source>
        <comment>keyword_needs_trigger</comment>
        <translation>关键词规则至少需要一个触发条件</translation>
    </message>
    <message>
        <source>a default reply answers what nothing matched: no triggers</source>
        <comment>default_no_triggers</comment>
        <translation>默认回复用于回答没有规则匹配的消息：不能有触发条件</translation>
    </message>
    <message>
        <source>must be a number of seconds, 0 or more</source>
        <comment>cooldown_invalid</comment>
        <translation>必须是 0 或更大的秒数</translation>
    </message>
    <message>
        <source>a default reply needs one: at most once per conversation per N s</source>
        <comment>default_needs_cooldown</comment>
        <translation>默认回复必须设置冷却时间：每个会话每 N 秒最多回复一次</translation>
    </message>
    <message>
        <source>choose at least one conversation</source>
        <comment>choose_conversation</comment>
        <translation>请至少选择一个会话</translation>
    </message>
    <message>
        <source>empty entry</source>
        <comment>empty_entry</comment>
        <translation>条目为空</translation>
    </message>
    <message>
        <source>a group welcome cannot be limited to private chats</source>
        <comment>welcome_group_private</comment>
        <translation>入群欢迎不能只限于私聊</translation>
    </message>
    <message>
        <source>no nickname to recognise an @mention: set the account&apos;s nickname</source>
        <comment>no_mention_nickname</comment>
        <translation>没有可用于识别 @ 的昵称：请设置账号昵称</translation>
    </message>
    <message>
        <source>a default reply in groups answers every unmatched message there; consider &apos;only when mentioned&apos;</source>
        <comment>default_in_groups</comment>
        <translation>群聊中的默认回复会回答那里每一条未匹配的消息；建议勾选“仅当被 @ 时”</translation>
    </message>
    <message>
        <source>a reply needs a text or a picture</source>
        <comment>reply_needs_content</comment>
        <translation>回复需要文字或图片</translation>
    </message>
    <message>
        <source>empty answer source name</source>
        <comment>empty_source</comment>
        <translation>回复来源名称为空</translation>
    </message>
    <message>
        <source>empty text</source>
        <comment>empty_text</comment>
        <translation>文字为空</translation>
    </message>
    <message>
        <source>unknown placeholder {placeholder} is sent as it is (write {{ and }} for literal braces)</source>
        <comment>unknown_placeholder</comment>
        <translation>未知的占位符 {placeholder} 会原样发送（字面的花括号请写作 {{ 和 }}）</translation>
    </message>
    <message>
        <source>empty picture path</source>
        <comment>empty_picture</comment>
        <translation>图片路径为空</translation>
    </message>
    <message>
        <source>must be an absolute path: demo.exe reads the file itself</source>
        <comment>picture_not_absolute</comment>
        <translation>必须是绝对路径：demo.exe 会自己读取该文件</translation>
    </message>
    <message>
        <source>give both a start and an end time, or neither</source>
        <comment>hours_start_and_end</comment>
        <translation>开始和结束时间要么都填，要么都不填</translation>
    </message>
    <message>
        <source>start and end are the same time: leave both empty for all day</source>
        <comment>hours_same</comment>
        <translation>开始和结束是同一时间：全天有效请两者都留空</translation>
    </message>
    <message>
        <source>choose at least one weekday</source>
        <comment>choose_weekday</comment>
        <translation>请至少选择一个星期几</translation>
    </message>
    <message>
        <source>a weekday is 1 (Monday) to 7 (Sunday)</source>
        <comment>weekday_range</comment>
        <translation>星期几的取值为 1（星期一）到 7（星期日）</translation>
    </message>
    <message>
        <source>a weekday is listed twice</source>
        <comment>weekday_twice</comment>
        <translation>同一个星期几出现了两次</translation>
    </message>
    <message>
        <source>a timed message needs a name</source>
        <comment>timed_needs_name</comment>
        <translation>定时消息需要一个名称</translation>
    </message>
    <message>
        <source>a timed message needs a text or a picture</source>
        <comment>timed_needs_content</comment>
        <translation>定时消息需要文字或图片</translation>
    </message>
    <message>
        <source>a one-off message needs a date and time</source>
        <comment>once_needs_moment</comment>
        <translation>一次性消息需要日期和时间</translation>
    </message>
    <message>
        <source>a daily or weekly message needs a time</source>
        <comment>repeat_needs_time</comment>
        <translation>每天或每周的消息需要一个时间</translation>
    </message>
    <message>
        <source>that time has passed</source>
        <comment>time_passed</comment>
        <translation>该时间已经过去</translation>
    </message>
    <message>
        <source>{target} is neither a known contact nor a wxid: choose one from the list</source>
        <comment>target_unknown</comment>
        <translation>{target} 既不是已知联系人，也不是 wxid：请从列表中选择</translation>
    </message>
    <message>
        <source>{target} names several contacts: {names}; choose one from the list</source>
        <comment>target_ambiguous</comment>
        <translation>{target} 对应多个联系人：{names}；请从列表中选择</translation>
    </message>
    <message>
        <source>cannot reach WeChat through code page 936 and will be left out: {chars}</source>
        <comment>not_gbk</comment>
        <translation>无法通过代码页 936 发到微信，将被去掉：{chars}</translation>
    </message>
    <message>
        <source>demo.exe accepts friend requests itself and never reports them: this rule cannot fire with demo.exe (kept for other bridges)</source>
        <comment>demo_no_friend_requests</comment>
        <translation>demo.exe 会自行通过好友请求且从不上报：此规则在 demo.exe 下无法触发（为其他桥接程序保留）</translation>
    </message>
    <message>
        <source>demo.exe reports only received text, never someone joining a group: this rule cannot fire with demo.exe (kept for other bridges)</source>
        <comment>demo_no_group_joins</comment>
        <translation>demo.exe 只上报收到的文字，从不上报有人入群：此规则在 demo.exe 下无法触发（为其他桥接程序保留）</translation>
    </message>
    <message>
        <source>demo.exe delivers only received text: pictures, voice, links, transfers and the account&apos;s own messages never arrive from it</source>
        <comment>demo_text_only</comment>
        <translation>demo.exe 只传来收到的文字：图片、语音、链接、转账和本账号自己发的消息都不会传来</translation>
    </message>
    <message>
        <source>{path}: no such picture</source>
        <comment>picture_missing</comment>
        <translation>{path}：图片不存在</translation>
    </message>
    <message>
        <source>{path}: not a file</source>
        <comment>picture_not_file</comment>
        <translation>{path}：不是文件</translation>
    </message>
    <message>
        <source>{path}: cannot be read ({detail})</source>
        <comment>picture_unreadable</comment>
        <translation>{path}：无法读取（{detail}）</translation>
    </message>
    <message>
        <source>{path}: {size_mib:.1f} MiB is over the {limit_mib:.1f} MiB limit</source>
        <comment>picture_too_big</comment>
        <translation>{path}：{size_mib:.1f} MiB，超过了 {limit_mib:.1f} MiB 的上限</translation>
    </message>
    <message>
        <source>{path}: not a JPG, PNG, GIF or BMP picture</source>
        <comment>picture_not_picture</comment>
        <translation>{path}：不是 JPG、PNG、GIF 或 BMP 图片</translation>
    </message>
    <message>
        <source>not valid JSON: line {line} column {column}: {detail}</source>
        <comment>not_json</comment>
        <translation>不是有效的 JSON：第 {line} 行第 {column} 列：{detail}</translation>
    </message>
    <message>
        <source>expected a JSON object with a &apos;rules&apos; list</source>
        <comment>not_rules_object</comment>
        <translation>应为包含“rules”列表的 JSON 对象</translation>
    </message>
    <message>
        <source>nested too deeply to be a rules file</source>
        <comment>too_deep</comment>
        <translation>嵌套层数过深，不是规则文件</translation>
    </message>
    <message>
        <source>expected {expected}, found {found}</source>
        <comment>expected_found</comment>
        <translation>应为 {expected}，实际是 {found}</translation>
    </message>
    <message>
        <source>format version {version} is newer than this wxpanel&apos;s {supported}</source>
        <comment>version_newer</comment>
        <translation>格式版本 {version} 比本 wxpanel 支持的版本 {supported} 更新</translation>
    </message>
    <message>
        <source>unknown key (typo?)</source>
        <comment>unknown_key</comment>
        <translation>未知的键（拼写错误？）</translation>
    </message>
    <message>
        <source>expected a list of rules</source>
        <comment>expected_rule_list</comment>
        <translation>应为规则列表</translation>
    </message>
    <message>
        <source>the same name as rules[{index}]; a merge matches rules by name</source>
        <comment>same_name</comment>
        <translation>与 rules[{index}] 同名；合并时按名称对应规则</translation>
    </message>
    <message>
        <source>cannot read it ({detail})</source>
        <comment>cannot_read</comment>
        <translation>无法读取（{detail}）</translation>
    </message>
    <message>
        <source>not UTF-8 text (byte {byte})</source>
        <comment>not_utf8</comment>
        <translation>不是 UTF-8 文本（第 {byte} 字节）</translation>
    </message>
    <message>
        <source>missing</source>
        <comment>missing</comment>
        <translation>缺失</translation>
    </message>
    <message>
        <source>expected an object, found {found}</source>
        <comment>expected_object</comment>
        <translation>应为对象，实际是{found}</translation>
    </message>
    <message>
        <source>expected a string, found {found}</source>
        <comment>expected_string</comment>
        <translation>应为字符串，实际是{found}</translation>
    </message>
    <message>
        <source>expected true or false, found {found}</source>
        <comment>expected_boolean</comment>
        <translation>应为 true 或 false，实际是{found}</translation>
    </message>
    <message>
        <source>expected a number, found {found}</source>
        <comment>expected_number</comment>
        <translation>应为数字，实际是{found}</translation>
    </message>
    <message>
        <source>expected one of {choices}, found {found}</source>
        <comment>expected_one_of</comment>
        <translation>应为 {choices} 之一，实际是 {found}</translation>
    </message>
    <message>
        <source>expected a list of strings, found {found}</source>
        <comment>expected_strings</comment>
        <translation>应为字符串列表，实际是{found}</translation>
    </message>
    <message>
        <source>expected a list of weekdays 1-7, found {found}</source>
        <comment>expected_weekdays</comment>
        <translation>应为星期几（1-7）的列表，实际是{found}</translation>
    </message>
    <message>
        <source>expected a weekday 1-7, found {found}</source>
        <comment>expected_weekday</comment>
        <translation>应为星期几（1-7），实际是{found}</translation>
    </message>
    <message>
        <source>expected a time as HH:MM, found {found}</source>
        <comment>expected_hhmm</comment>
        <translation>应为 HH:MM 格式的时间，实际是 {found}</translation>
    </message>
    <message>
        <source>expected a list of triggers, found {found}</source>
        <comment>expected_triggers</comment>
        <translation>应为触发条件列表，实际是{found}</translation>
    </message>
    <message>
        <source>null</source>
        <comment>json_null</comment>
        <translation>空值 null</translation>
    </message>
    <message>
        <source>true</source>
        <comment>json_true</comment>
        <translation>布尔值 true</translation>
    </message>
    <message>
        <source>false</source>
        <comment>json_false</comment>
        <translation>布尔值 false</translation>
    </message>
    <message>
        <source>the string {value}</source>
        <comment>json_string</comment>
        <translation>字符串 {value}</translation>
    </message>
    <message>
        <source>the number {value}</source>
        <comment>json_number</comment>
        <translation>数字 {value}</translation>
    </message>
    <message>
        <source>a list</source>
        <comment>json_list</comment>
        <translation>一个列表</translation>
    </message>
    <message>
        <source>an object</source>
        <comment>json_object</comment>
        <translation>一个对象</translation>
    </message>
    <message>
        <source>rules never answer an outgoing message</source>
        <comment>never_outgoing</comment>
        <translation>规则从不回复发出的消息</translation>
    </message>
    <message>
        <source>rules never answer this kind of message</source>
        <comment>never_this_kind</comment>
        <translation>规则从不回复这类消息</translation>
    </message>
    <message>
        <source>rules never answer a system notice other than someone joining a group</source>
        <comment>never_system</comment>
        <translation>规则从不回复系统通知（有人入群的通知除外）</translation>
    </message>
    <message>
        <source>auto-reply is switched off</source>
        <comment>switched_off</comment>
        <translation>自动回复已关闭</translation>
    </message>
    <message>
        <source>loop detection paused this conversation</source>
        <comment>loop_paused</comment>
        <translation>循环检测已暂停此会话</translation>
    </message>
    <message>
        <source>cooling down for another {seconds:.0f} s</source>
        <comment>cooling_down</comment>
        <translation>冷却中，还需 {seconds:.0f} 秒</translation>
    </message>
    <message>
        <source>every text renders empty</source>
        <comment>renders_empty</comment>
        <translation>每条文字生成后都为空</translation>
    </message>
    <message>
        <source>matches</source>
        <comment>matches</comment>
        <translation>匹配</translation>
    </message>
    <message>
        <source>outside its active hours</source>
        <comment>outside_hours</comment>
        <translation>不在其生效时段内</translation>
    </message>
    <message>
        <source>no trigger matches</source>
        <comment>no_trigger_matches</comment>
        <translation>没有触发条件匹配</translation>
    </message>
    <message>
        <source>the conversation or sender is excluded</source>
        <comment>excluded</comment>
        <translation>该会话或发送者已被排除</translation>
    </message>
    <message>
        <source>not one of its chosen conversations</source>
        <comment>not_chosen</comment>
        <translation>不是其选定的会话之一</translation>
    </message>
    <message>
        <source>a WeChat service or official account (choose it explicitly to answer there)</source>
        <comment>service_account</comment>
        <translation>微信服务号或公众号（需明确选择该会话才会在那里回复）</translation>
    </message>
    <message>
        <source>answers private chats only</source>
        <comment>private_only</comment>
        <translation>只回复私聊</translation>
    </message>
    <message>
        <source>answers groups only</source>
        <comment>groups_only</comment>
        <translation>只回复群聊</translation>
    </message>
    <message>
        <source>in groups only when the account is @-mentioned</source>
        <comment>mention_only</comment>
        <translation>在群里仅当本账号被 @ 时回复</translation>
    </message>
    <message>
        <source>{conversation}: {exchanges} auto-replies in a row, each within {window:g} s; looks like another bot answering. Not answering there for {pause_min:g} min.</source>
        <comment>alert_loop</comment>
        <translation>{conversation}：连续 {exchanges} 次自动回复，每次间隔不超过 {window:g} 秒；看起来是另一个机器人在回复。将在 {pause_min:g} 分钟内不再在该会话回复。</translation>
    </message>
    <message>
        <source>more than {limit} auto-replies a minute; answer dropped</source>
        <comment>alert_cap</comment>
        <translation>每分钟自动回复超过 {limit} 条；该回复已丢弃</translation>
    </message>
    <message>
        <source>{conversation}: more than {limit} auto-replies a minute here; answer dropped</source>
        <comment>alert_conversation_cap</comment>
        <translation>{conversation}：此会话每分钟自动回复超过 {limit} 条；该回复已丢弃</translation>
    </message>
    <message>
        <source>{problem}; sent without it</source>
        <comment>alert_picture</comment>
        <translation>{problem}；已不带图片发送</translation>
    </message>
    <message>
        <source>message #{message}: the rules could not be evaluated ({detail}); it gets no automatic answer</source>
        <comment>alert_rule_failed</comment>
        <translation>消息 #{message}：无法执行规则判断（{detail}），不会自动回复</translation>
    </message>
    <message>
        <source>rule {rule}: there is no answer source named {source}; message not answered</source>
        <comment>alert_unknown_source</comment>
        <translation>规则 {rule}：没有名为 {source} 的回复来源；消息未回复</translation>
    </message>
    <message>
        <source>{source} switched off: {detail}</source>
        <comment>alert_source_off</comment>
        <translation>{source} 已停用：{detail}</translation>
    </message>
    <message>
        <source>{conversation}: {exchanges} answers of plugins, webhooks or models in a row, each within {window:g} s; looks like another bot answering. Not answering there for {pause_min:g} min.</source>
        <comment>alert_source_loop</comment>
        <translation>{conversation}：插件、Webhook 或模型连续回复 {exchanges} 次，每次间隔不超过 {window:g} 秒；看起来是另一个机器人在回复。将在 {pause_min:g} 分钟内不再在该会话回复。</translation>
    </message>
    <message>
        <source>not taken by demo.exe after {seconds:.0f} s</source>
        <comment>command_stuck</comment>
        <translation>demo.exe 在 {seconds:.0f} 秒后仍未取走</translation>
    </message>
    <message>
        <source>interrupted while being written to wx_command; check WeChat before sending again</source>
        <comment>command_interrupted</comment>
        <translation>写入 wx_command 时被中断；再次发送前请先在微信里确认是否已发出</translation>
    </message>
    <message>
        <source>exchange.db</source>
        <comment>check_exchange</comment>
        <translation>exchange.db</translation>
    </message>
    <message>
        <source>demo.exe</source>
        <comment>check_demo</comment>
        <translation>demo.exe</translation>
    </message>
    <message>
        <source>Disk beside exchange.db</source>
        <comment>check_disk_exchange</comment>
        <translation>exchange.db 所在磁盘</translation>
    </message>
    <message>
        <source>Disk beside history.db</source>
        <comment>check_disk_history</comment>
        <translation>history.db 所在磁盘</translation>
    </message>
    <message>
        <source>History size</source>
        <comment>check_history_size</comment>
        <translation>历史库大小</translation>
    </message>
    <message>
        <source>Poller</source>
        <comment>check_lag</comment>
        <translation>轮询器</translation>
    </message>
    <message>
        <source>wx_event backlog</source>
        <comment>check_backlog</comment>
        <translation>wx_event 积压</translation>
    </message>
    <message>
        <source>History integrity</source>
        <comment>check_integrity</comment>
        <translation>历史库完整性</translation>
    </message>
    <message>
        <source>exchange.db is readable and has demo.exe&apos;s tables</source>
        <comment>exchange_ok</comment>
        <translation>exchange.db 可读，且包含 demo.exe 的表</translation>
    </message>
    <message>
        <source>Waiting for the poller&apos;s first look at exchange.db</source>
        <comment>exchange_waiting</comment>
        <translation>等待轮询器第一次读取 exchange.db</translation>
    </message>
    <message>
        <source>exchange.db is not demo.exe&apos;s database ({detail})</source>
        <comment>exchange_schema</comment>
        <translation>exchange.db 不是 demo.exe 的数据库（{detail}）</translation>
    </message>
    <message>
        <source>exchange.db is gone; waiting for it to come back</source>
        <comment>exchange_gone</comment>
        <translation>exchange.db 不见了；等待它恢复</translation>
    </message>
    <message>
        <source>exchange.db cannot be used: {detail}</source>
        <comment>exchange_error</comment>
        <translation>exchange.db 无法使用：{detail}</translation>
    </message>
    <message>
        <source>missing {missing}</source>
        <comment>exchange_missing</comment>
        <translation>缺少 {missing}</translation>
    </message>
    <message>
        <source>Cannot tell while exchange.db is unreadable</source>
        <comment>demo_unknown</comment>
        <translation>exchange.db 不可读，无法判断</translation>
    </message>
    <message>
        <source>demo.exe has taken nothing for {seconds} s ({stuck} commands stuck)</source>
        <comment>demo_stuck</comment>
        <translation>demo.exe 已 {seconds} 秒未取走任何命令（{stuck} 条命令卡住）</translation>
    </message>
    <message>
        <source>demo.exe has not taken a command for {seconds} s</source>
        <comment>demo_slow</comment>
        <translation>demo.exe 已 {seconds} 秒未取走命令</translation>
    </message>
    <message>
        <source>No event from demo.exe for {minutes} min</source>
        <comment>demo_quiet</comment>
        <translation>demo.exe 已 {minutes} 分钟没有事件</translation>
    </message>
    <message>
        <source>demo.exe takes commands; last event {seconds} s ago</source>
        <comment>demo_ok</comment>
        <translation>demo.exe 正在取走命令；最近事件在 {seconds} 秒前</translation>
    </message>
    <message>
        <source>demo.exe takes commands; no event yet</source>
        <comment>demo_ok_no_event</comment>
        <translation>demo.exe 正在取走命令；尚无事件</translation>
    </message>
    <message>
        <source>demo.exe writes events; last event {seconds} s ago</source>
        <comment>demo_events</comment>
        <translation>demo.exe 正在写入事件；上一条事件在 {seconds} 秒前</translation>
    </message>
    <message>
        <source>No sign of demo.exe yet: no event arrived and no command was taken</source>
        <comment>demo_unseen</comment>
        <translation>还没有看到 demo.exe 的活动：没有收到事件，也没有命令被取走</translation>
    </message>
    <message>
        <source>Free space beside {file} is unknown</source>
        <comment>disk_unknown</comment>
        <translation>{file} 所在磁盘的剩余空间未知</translation>
    </message>
    <message>
        <source>Only {free_mb} MB free beside {file}: the disk is nearly full</source>
        <comment>disk_full</comment>
        <translation>{file} 所在磁盘仅剩 {free_mb} MB：磁盘快满了</translation>
    </message>
    <message>
        <source>{free_mb} MB free beside {file}</source>
        <comment>disk_low</comment>
        <translation>{file} 所在磁盘剩余 {free_mb} MB</translation>
    </message>
    <message>
        <source>{free_gb:.1f} GB free beside {file}</source>
        <comment>disk_ok</comment>
        <translation>{file} 所在磁盘剩余 {free_gb:.1f} GB</translation>
    </message>
    <message>
        <source>history.db&apos;s size is unknown</source>
        <comment>history_unknown</comment>
        <translation>history.db 的大小未知</translation>
    </message>
    <message>
        <source>history.db is {size_gb:.1f} GB: export and archive old messages</source>
        <comment>history_huge</comment>
        <translation>history.db 已有 {size_gb:.1f} GB：请导出并归档旧消息</translation>
    </message>
    <message>
        <source>history.db is {size_gb:.1f} GB</source>
        <comment>history_large</comment>
        <translation>history.db 为 {size_gb:.1f} GB</translation>
    </message>
    <message>
        <source>history.db is {size_mb} MB</source>
        <comment>history_ok</comment>
        <translation>history.db 为 {size_mb} MB</translation>
    </message>
    <message>
        <source>Waiting for the poller&apos;s first report</source>
        <comment>lag_waiting</comment>
        <translation>等待轮询器的第一次报告</translation>
    </message>
    <message>
        <source>exchange.db locked by another program for {seconds} s</source>
        <comment>lag_locked</comment>
        <translation>exchange.db 被其他程序锁定已 {seconds} 秒</translation>
    </message>
    <message>
        <source>The poller last looked {seconds} s ago</source>
        <comment>lag_stale</comment>
        <translation>轮询器上次查看在 {seconds} 秒前</translation>
    </message>
    <message>
        <source>The poller looked {seconds} s ago</source>
        <comment>lag_ok</comment>
        <translation>轮询器在 {seconds} 秒前查看过</translation>
    </message>
    <message>
        <source>Backlog unknown while exchange.db is unreadable</source>
        <comment>backlog_unknown</comment>
        <translation>exchange.db 不可读，积压未知</translation>
    </message>
    <message>
        <source>wx_event backlog grew from {first} to {last} rows in {seconds} s</source>
        <comment>backlog_growing</comment>
        <translation>wx_event 积压在 {seconds} 秒内从 {first} 行增长到 {last} 行</translation>
    </message>
    <message>
        <source>{rows} events wait in wx_event</source>
        <comment>backlog_high</comment>
        <translation>wx_event 中有 {rows} 个事件等待处理</translation>
    </message>
    <message>
        <source>{rows} events wait in wx_event</source>
        <comment>backlog_ok</comment>
        <translation>wx_event 中有 {rows} 个事件等待处理</translation>
    </message>
    <message>
        <source>PRAGMA quick_check found no problem</source>
        <comment>integrity_ok</comment>
        <translation>PRAGMA quick_check 未发现问题</translation>
    </message>
    <message>
        <source>history.db is busy; try the check again</source>
        <comment>integrity_busy</comment>
        <translation>history.db 正忙；请重新检查</translation>
    </message>
    <message>
        <source>history.db is damaged: {detail}</source>
        <comment>integrity_bad</comment>
        <translation>history.db 已损坏：{detail}</translation>
    </message>
    <message>
        <source>history.db cannot be read: {detail}</source>
        <comment>integrity_unreadable</comment>
        <translation>无法读取 history.db：{detail}</translation>
    </message>
    <message>
        <source>{path}: cannot be read ({detail}); running on the default settings, the file is kept as it is</source>
        <comment>settings_unreadable</comment>
        <translation>{path}：无法读取（{detail}）；现使用默认设置运行，文件原样保留</translation>
    </message>
    <message>
        <source>{path}: not valid JSON, line {line} column {column}: {detail}; running on the default settings, the file is kept as it is</source>
        <comment>settings_not_json</comment>
        <translation>{path}：不是有效的 JSON，第 {line} 行第 {column} 列：{detail}；现使用默认设置运行，文件原样保留</translation>
    </message>
    <message>
        <source>{path}: expected a JSON object, found {found}; running on the default settings, the file is kept as it is</source>
        <comment>settings_not_object</comment>
        <translation>{path}：应为 JSON 对象，实际为 {found}；现使用默认设置运行，文件原样保留</translation>
    </message>
    <message>
        <source>{path}: {key}: expected {expected}, found {found}; using the default {default}</source>
        <comment>settings_wrong_type</comment>
        <translation>{path}：{key}：应为 {expected}，实际为 {found}；改用默认值 {default}</translation>
    </message>
    <message>
        <source>{path}: {key}: {found} is not between {low} and {high}; using the default {default}</source>
        <comment>settings_out_of_range</comment>
        <translation>{path}：{key}：{found} 不在 {low} 到 {high} 之间；改用默认值 {default}</translation>
    </message>
    <message>
        <source>{path}: not saved, the file cannot be read ({detail}) and is kept as it is; fix or remove it first</source>
        <comment>settings_kept</comment>
        <translation>{path}：未保存，该文件无法读取（{detail}），已原样保留；请先修正或删除它</translation>
    </message>
    <message>
        <source>{path}: the file is gone; waiting for it to come back</source>
        <comment>problem_gone</comment>
        <translation>{path}：文件不见了；等待它恢复</translation>
    </message>
    <message>
        <source>{folder}: the disk is full ({free_mib:.1f} MiB free); wxpanel goes on by itself once about {needed_mib} MiB are free</source>
        <comment>problem_disk_full</comment>
        <translation>{folder}：磁盘已满（剩余 {free_mib:.1f} MiB）；空出约 {needed_mib} MiB 后 wxpanel 会自动继续</translation>
    </message>
    <message>
        <source>{path}: not demo.exe&apos;s exchange.db, missing {missing}</source>
        <comment>problem_not_demo</comment>
        <translation>{path}：不是 demo.exe 的 exchange.db，缺少 {missing}</translation>
    </message>
    <message>
        <source>{path}: not an SQLite database ({detail})</source>
        <comment>problem_not_sqlite</comment>
        <translation>{path}：不是 SQLite 数据库（{detail}）</translation>
    </message>
    <message>
        <source>{path}: the file is read-only; wxpanel must delete ingested rows</source>
        <comment>problem_read_only</comment>
        <translation>{path}：文件是只读的；wxpanel 需要删除已读取的行</translation>
    </message>
    <message>
        <source>{path}: its folder is read-only; SQLite needs to write its journal there</source>
        <comment>problem_folder_read_only</comment>
        <translation>{path}：所在文件夹是只读的；SQLite 需要在那里写日志文件</translation>
    </message>
    <message>
        <source>{path}: is a folder, not an exchange.db file</source>
        <comment>problem_folder</comment>
        <translation>{path}：这是文件夹，不是 exchange.db 文件</translation>
    </message>
    <message>
        <source>{path}: locked by another program for too long; try again</source>
        <comment>problem_locked</comment>
        <translation>{path}：被其他程序锁定太久；请稍后再试</translation>
    </message>
    <message>
        <source>{path}: {detail}</source>
        <comment>problem_file</comment>
        <translation>{path}：{detail}</translation>
    </message>
    <message>
        <source>{detail}</source>
        <comment>problem_other</comment>
        <translation>{detail}</translation>
    </message>
    <message>
        <source>{path}: no such file (add --create to make an empty one)</source>
        <comment>problem_missing</comment>
        <translation>{path}：文件不存在（加上 --create 可新建一个空的）</translation>
    </message>
    <message>
        <source>{path}: already exists, not overwriting it</source>
        <comment>problem_exists</comment>
        <translation>{path}：文件已存在，不会覆盖</translation>
    </message>
    <message>
        <source>{path}: folder {folder} does not exist</source>
        <comment>problem_no_folder</comment>
        <translation>{path}：文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <source>{path}: cannot create it ({detail})</source>
        <comment>problem_cannot_create</comment>
        <translation>{path}：无法创建（{detail}）</translation>
    </message>
    <message>
        <source>{path}: cannot open it ({detail})</source>
        <comment>problem_cannot_open</comment>
        <translation>{path}：无法打开（{detail}）</translation>
    </message>
    <message>
        <source>{path}: another wxpanel (pid {pid}) already consumes this exchange.db</source>
        <comment>already_running</comment>
        <translation>{path}：另一个 wxpanel（进程号 {pid}）已在处理这个 exchange.db</translation>
    </message>
    <message>
        <source>{path}: locked by another program; try again</source>
        <comment>history_locked</comment>
        <translation>{path}：被其他程序锁定；请稍后再试</translation>
    </message>
    <message>
        <source>{path}: the database is damaged ({detail}); restore a backup or move it away</source>
        <comment>history_damaged</comment>
        <translation>{path}：数据库已损坏（{detail}）；请恢复备份或把它移走</translation>
    </message>
    <message>
        <source>{path}: the database is damaged (its schema cannot be read); restore a backup or move it away</source>
        <comment>history_schema_damaged</comment>
        <translation>{path}：数据库已损坏（无法读取表结构）；请恢复备份或把它移走</translation>
    </message>
    <message>
        <source>{path}: the database is damaged (schema version {version})</source>
        <comment>history_bad_version</comment>
        <translation>{path}：数据库已损坏（结构版本 {version}）</translation>
    </message>
    <message>
        <source>{path}: made by a newer wxpanel (schema {version}, this one knows {supported}); upgrade wxpanel</source>
        <comment>history_newer</comment>
        <translation>{path}：由更新版本的 wxpanel 创建（结构版本 {version}，当前版本只认识 {supported}）；请升级 wxpanel</translation>
    </message>
    <message>
        <source>{path}: cannot open the history database ({detail})</source>
        <comment>history_cannot_open</comment>
        <translation>{path}：无法打开历史数据库（{detail}）</translation>
    </message>
    <message>
        <source>{path}: not a usable history database ({detail})</source>
        <comment>history_unusable</comment>
        <translation>{path}：不是可用的历史数据库（{detail}）</translation>
    </message>
    <message>
        <source>rule #{id} no longer exists</source>
        <comment>rule_gone</comment>
        <translation>规则 #{id} 已不存在</translation>
    </message>
    <message>
        <source>timed message #{id} no longer exists</source>
        <comment>timed_gone</comment>
        <translation>定时消息 #{id} 已不存在</translation>
    </message>
    <message>
        <source>run #{id} is not a missed timed message</source>
        <comment>run_not_missed</comment>
        <translation>执行记录 #{id} 不是错过的定时消息</translation>
    </message>
    <message>
        <source>the timed message of run #{id} was deleted</source>
        <comment>run_timed_deleted</comment>
        <translation>执行记录 #{id} 对应的定时消息已被删除</translation>
    </message>
    <message>
        <source>source #{id} no longer exists</source>
        <comment>source_gone</comment>
        <translation>回复来源 #{id} 已不存在</translation>
    </message>
    <message>
        <source>plugins are added by putting their file in the plugins folder</source>
        <comment>source_plugins_by_file</comment>
        <translation>插件的添加方式是把文件放进插件文件夹</translation>
    </message>
    <message>
        <source>a {kind} source named {name} exists already</source>
        <comment>source_exists</comment>
        <translation>已有名为 {name} 的{kind}回复来源</translation>
    </message>
    <message>
        <source>{kind} {name}</source>
        <comment>source_label</comment>
        <translation>{kind} {name}</translation>
    </message>
    <message>
        <source>source #{id}</source>
        <comment>source_number</comment>
        <translation>回复来源 #{id}</translation>
    </message>
    <message>
        <source>plugin</source>
        <comment>source_kind_plugin</comment>
        <translation>插件</translation>
    </message>
    <message>
        <source>webhook</source>
        <comment>source_kind_webhook</comment>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>ai</source>
        <comment>source_kind_ai</comment>
        <translation>AI 模型</translation>
    </message>
    <message>
        <source>only an AI source has an API key</source>
        <comment>source_key_ai_only</comment>
        <translation>只有 AI 模型回复来源才有 API 密钥</translation>
    </message>
    <message>
        <source>a name is needed</source>
        <comment>source_name_needed</comment>
        <translation>需要填写名称</translation>
    </message>
    <message>
        <source>must be an http:// or https:// address</source>
        <comment>source_url</comment>
        <translation>必须是 http:// 或 https:// 开头的地址</translation>
    </message>
    <message>
        <source>a model name is needed</source>
        <comment>source_model_needed</comment>
        <translation>需要填写模型名称</translation>
    </message>
    <message>
        <source>must be zero or more</source>
        <comment>source_zero_or_more</comment>
        <translation>必须大于或等于 0</translation>
    </message>
    <message>
        <source>must be between {low} and {high}</source>
        <comment>source_between</comment>
        <translation>必须在 {low} 到 {high} 之间</translation>
    </message>
    <message>
        <source>must be between {low} and {high} seconds</source>
        <comment>source_between_seconds</comment>
        <translation>必须在 {low} 到 {high} 秒之间</translation>
    </message>
    <message>
        <source>must be more than 0 and at most {limit:g} seconds</source>
        <comment>source_timeout</comment>
        <translation>必须大于 0 且不超过 {limit:g} 秒</translation>
    </message>
</context>
</TS>
