<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
    <name>Display</name>
    <message>
        <source>Unknown</source>
        <extracomment>A preview is one line of at most this many characters. A bubble shows at most this much text (the rest is in the export).</extracomment>
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
        <source>[Picture] %1</source>
        <translation>[图片] %1</translation>
    </message>
    <message>
        <source>[Link or file] %1</source>
        <translation>[链接或文件] %1</translation>
    </message>
    <message>
        <source>⚠ stored oddly by demo.exe: </source>
        <translation>⚠ demo.exe 存储异常：</translation>
    </message>
    <message>
        <source>[Message]</source>
        <extracomment>The element that tells what a rich message is, when only its XML is at hand.</extracomment>
        <translation>[消息]</translation>
    </message>
</context>
<context>
    <name>FeedModel</name>
    <message>
        <source>Time</source>
        <extracomment>Custom roles shared by the models and their delegates. The live feed keeps this many rows; older ones are in history. Rows demo.exe stored oddly stand out; our own sends are told apart at a glance.</extracomment>
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
    <name>MainWindow</name>
    <message>
        <source>Main</source>
        <extracomment>Messages applied per turn of the event loop: a 2 000-row batch in one go would freeze the window for a visible moment. A lock shorter than this is routine (demo.exe writing a row) and not worth a banner. The poller could not start (another panel, unusable file): the app shows it and exits.</extracomment>
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
        <source>History and settings in %1</source>
        <translation>历史记录和设置位于 %1</translation>
    </message>
    <message>
        <source>demo.exe: backlog %1 · pending %2 · queued %3 · stuck %4</source>
        <translation>demo.exe：积压 %1 · 待取 %2 · 排队 %3 · 卡住 %4</translation>
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
        <source>%1 command(s) not taken by demo.exe: is demo.exe running and logged in?</source>
        <translation>有 %1 条命令未被 demo.exe 取走：demo.exe 是否在运行并已登录？</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
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
        <source>%1 new private messages</source>
        <translation>%1 条新的私聊消息</translation>
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
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
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
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
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
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Show wxpanel</source>
        <extracomment>More new messages than this in one batch make one summary notification. The user clicked the icon: show the window. &quot;Quit&quot; in the icon&apos;s menu.</extracomment>
        <translation>显示 wxpanel</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
</TS>
