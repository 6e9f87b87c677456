"""A light Streamlit client: one session driven over the app's own websocket, without a browser.

It speaks the protocol the Streamlit frontend speaks (streamlit.proto): it sends BackMsgs
(`rerun_script` with a ClientState, `file_urls_request`) on ws://HOST/_stcore/stream and reads
the ForwardMsgs the server streams back (new_session, deltas with elements, script_finished,
file_urls_response, ref_hash for messages it holds in its cache). Used by `bench/load.py`.

What it mirrors from the frontend, so the server does the same work as for a browser:
- widget states: after each run it keeps the value each rendered widget shows (selectbox,
  slider, text area/input, checkbox: the value the server set, or the default), drops widgets
  that were not rendered, and sends them all back with every rerun; a click is the button's id
  with `trigger_value=True` on top (triggers are not kept);
- file upload: `file_urls_request` → `file_urls_response` (an upload URL per file), an HTTP PUT
  of the file as multipart form data to /_stcore/upload_file/<session>/<file id> with the XSRF
  cookie and header, then a rerun with the uploader's `file_uploader_state_value`;
- the message cache: messages marked cacheable are kept for as many runs as the server's
  global.maxCachedMessageAge (its new_session message says how many) and their hashes sent
  as `cached_message_hashes`; a `ref_hash` reply is resolved from that cache;
- cookies: every cookie the first HTTP answer sets (the XSRF cookie, and a proxy's sticky
  session cookie such as deploy/nginx.conf's) goes back with the websocket and the uploads,
  so a proxy in front of several processes keeps the session on one of them;
- a custom component's state (`st.components.v2`, e.g. the browser stepper's step): its
  `setStateValue` is a rerun whose widget states carry the component's state as JSON
  (`set_component_state`); the component's data (`Run.components`) is kept per run.
- the query string (page_info_changed) and the page's hash (navigation) the server last
  reported go back with each rerun.
Widgets this client keeps no value for (data editor, tabs) are left out of the widget states;
the server then uses their stored value. A browser would send the value it shows, which for
widgets nobody has touched is that same value, so the script sees the same page.

Loopback only; every wait is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

STEP_LABEL = re.compile(r"^\*\*Step (\d+) of (\d+)\*\*")
MAX_CACHE_AGE = 2  # runs a cached message survives unused, until the server says (new_session)
XSRF_COOKIE = "_streamlit_xsrf"


class ProtocolError(Exception):
    """The server answered something this client did not expect."""


@dataclass
class Run:
    """What one script run sent: its elements and how it ended."""

    status: int | None = None  # ForwardMsg.ScriptFinishedStatus; None while running
    label: str = ""  # the "**Step k of N** ..." markdown, if drawn
    buttons: dict[str, tuple[str, bool]] = field(default_factory=dict)  # label -> (id, disabled)
    uploaders: dict[str, str] = field(default_factory=dict)  # widget id -> label
    # label -> (id, options as shown)
    selects: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    components: dict[str, tuple[str, dict]] = field(default_factory=dict)  # name -> (id, data)
    component_bytes: int = 0  # bytes of the custom components' JSON data in this run
    widget_ids: set[str] = field(default_factory=set)  # every widget drawn in this run
    problems: list[str] = field(default_factory=list)  # exceptions and st.error texts


def _widget_value(kind: str, el) -> WidgetState | None:
    """The value a frontend widget reports for a newly drawn element `el` or one whose value
    the server sets, or None where this client does not keep one."""
    state = WidgetState(id=el.id)
    if kind == "selectbox":
        if el.set_value and el.HasField("raw_value"):
            state.string_value = el.raw_value
        elif el.HasField("default") and 0 <= el.default < len(el.options):
            state.string_value = el.options[el.default]
        else:
            return None
    elif kind == "slider":
        if el.options:  # select_slider: string values; not on the benched page
            return None
        state.double_array_value.data.extend(el.value if el.set_value else el.default)
    elif kind in ("text_area", "text_input"):
        if el.set_value and el.HasField("value"):
            state.string_value = el.value
        elif el.HasField("default"):
            state.string_value = el.default
        else:
            return None
    elif kind == "checkbox":
        state.bool_value = el.value if el.set_value else el.default
    else:
        return None
    return state


class StreamlitClient:
    """One websocket session on a Streamlit server at `url` (http://127.0.0.1:PORT)."""

    def __init__(self, url: str, page: str = "", timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.page = page
        self.timeout = timeout
        self.ws = None
        self.session_id = ""
        self.page_hash = ""
        self.query_string = ""
        self.xsrf = ""
        self.cookies: dict[str, str] = {}  # name -> value, from the first HTTP answer
        self.max_cache_age = MAX_CACHE_AGE
        self.widgets: dict[str, WidgetState] = {}  # what is sent back with each rerun
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, last run used)
        self.runs = 0
        self.bytes_in = 0  # ForwardMsg bytes received
        self.ref_hits = 0  # messages the server replaced by a ref_hash to this cache
        self.last: Run | None = None
        self._run: Run | None = None
        self._file_urls: dict[str, asyncio.Future] = {}
        self._finished: asyncio.Event = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self.closed_reason = ""

    # --- connection -------------------------------------------------------------------------

    async def open(self) -> Run:
        """Fetch the XSRF cookie (as the page load does), connect, and run the page once."""
        self.cookies = await asyncio.to_thread(self._fetch_cookies)
        self.xsrf = self.cookies.get(XSRF_COOKIE, "")
        ws_url = "ws" + self.url[len("http"):] + "/_stcore/stream"
        self.ws = await asyncio.wait_for(connect(
            ws_url, subprotocols=["streamlit", self.xsrf] if self.xsrf else ["streamlit"],
            max_size=None, origin=self.url,
            additional_headers={"Cookie": self._cookie_header()} if self.cookies else None,
            open_timeout=self.timeout, ping_interval=None, compression=None, user_agent_header=None,
        ), self.timeout)
        self._reader = asyncio.create_task(self._read())
        return await self.rerun()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _fetch_cookies(self) -> dict[str, str]:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            conn.request("GET", "/_stcore/health")
            reply = conn.getresponse()
            reply.read()
            cookie = SimpleCookie()
            for header in reply.headers.get_all("Set-Cookie") or []:
                cookie.load(header)
            return {name: morsel.value for name, morsel in cookie.items()}
        finally:
            conn.close()

    # --- receiving --------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.bytes_in += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except Exception as err:  # the reader ends; waiters see closed_reason
            self.closed_reason = f"{type(err).__name__}: {err}"
        else:
            self.closed_reason = "the server closed the websocket"
        self._finished.set()
        for future in self._file_urls.values():
            if not future.done():
                future.set_exception(ProtocolError(self.closed_reason))

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"ref_hash {msg.ref_hash} is not in the cache")
            self.ref_hits += 1
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            self.cache[msg.ref_hash] = (cached[0], self.runs)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = (msg, self.runs)
        if kind == "new_session":
            self._run = Run()
            init = msg.new_session.initialize
            self.session_id = init.session_id or self.session_id
            age = msg.new_session.config.max_cached_message_age
            self.max_cache_age = age if age > 0 else self.max_cache_age
        elif kind == "navigation":  # st.navigation names the page this run shows
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "delta" and self._run is not None:
            self._delta(msg.delta, self._run)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "file_urls_response":
            future = self._file_urls.pop(msg.file_urls_response.response_id, None)
            if future is not None and not future.done():
                future.set_result(msg.file_urls_response)
        elif kind == "script_finished" and self._run is not None:
            self._finish(msg.script_finished)

    def _delta(self, delta, run: Run) -> None:
        which = delta.WhichOneof("type")
        if which == "add_block":
            block = delta.add_block
            inner = block.WhichOneof("type")
            if inner == "tab_container" and block.id:
                run.widget_ids.add(block.id)
            return
        if which != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        el = getattr(element, kind) if kind else None
        if kind == "markdown":
            if STEP_LABEL.match(el.body):
                run.label = el.body
        elif kind == "exception":
            run.problems.append(f"exception: {el.type}: {el.message[:200]}")
        elif kind == "alert" and el.format == Alert.ERROR:
            run.problems.append(f"st.error: {el.body[:200]}")
        elif kind == "button":
            run.buttons[el.label] = (el.id, el.disabled)
        elif kind == "file_uploader":
            run.uploaders[el.id] = el.label
        elif kind == "selectbox":
            run.selects[el.label] = (el.id, list(el.options))
        elif kind == "bidi_component":
            run.component_bytes += len(el.json)
            data = json.loads(el.json) if el.json else {}
            run.components[el.component_name] = (el.id, data if isinstance(data, dict) else {})
        widget_id = getattr(el, "id", "") if el is not None else ""
        if widget_id.startswith("$$ID-"):
            run.widget_ids.add(widget_id)
            # a widget keeps the value it shows unless the server sets one (set_value); a new
            # one starts from its default
            kept = widget_id in self.widgets and not getattr(el, "set_value", True)
            value = None if kept else _widget_value(kind, el)
            if value is not None:
                self.widgets[widget_id] = value

    def _finish(self, status: int) -> None:
        run, self._run = self._run, None
        run.status = status
        self.runs += 1
        if status == ForwardMsg.FINISHED_SUCCESSFULLY:
            # the frontend forgets widgets that were not drawn in a full run
            self.widgets = {k: v for k, v in self.widgets.items() if k in run.widget_ids}
        self.cache = {h: (m, used) for h, (m, used) in self.cache.items()
                      if self.runs - used <= self.max_cache_age}
        self.last = run
        self._finished.set()

    # --- sending ----------------------------------------------------------------------------

    async def rerun(self, trigger: str | None = None) -> Run:
        """Rerun the script with the kept widget states (and `trigger` clicked); the finished
        run. Raises TimeoutError or ProtocolError."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = self.page if not self.page_hash else ""
        state.widget_states.widgets.extend(self.widgets.values())
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        state.cached_message_hashes.extend(self.cache)
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url, info.is_embedded, info.color_scheme = f"{self.url}/{self.page}", False, "light"
        self._finished.clear()
        self.last = None
        await self.ws.send(back.SerializeToString())
        async with asyncio.timeout(self.timeout):
            while True:  # a run the script ended early for a rerun (st.rerun) is followed
                await self._finished.wait()  # by the one that counts
                self._finished.clear()
                if self.closed_reason:
                    raise ProtocolError(self.closed_reason)
                last = self.last
                if last is not None and last.status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return last

    async def click(self, label: str) -> Run:
        """Click the button labelled `label` in the last run."""
        if self.last is None or label not in self.last.buttons:
            raise ProtocolError(f"no button {label!r} in the last run")
        widget_id, disabled = self.last.buttons[label]
        if disabled:
            raise ProtocolError(f"button {label!r} is disabled")
        return await self.rerun(trigger=widget_id)

    async def select(self, label: str, option: str) -> Run:
        """Choose `option` (as the selectbox shows it) in the selectbox labelled `label`."""
        if self.last is None or label not in self.last.selects:
            raise ProtocolError(f"no selectbox {label!r} in the last run")
        widget_id, options = self.last.selects[label]
        if option not in options:
            raise ProtocolError(f"{option!r} is not an option of {label!r}: {options}")
        self.widgets[widget_id] = WidgetState(id=widget_id, string_value=option)
        return await self.rerun()

    async def set_component_state(self, name: str, state: dict) -> Run:
        """What a custom component's setStateValue does: a rerun carrying its whole state."""
        if self.last is None or name not in self.last.components:
            raise ProtocolError(f"no component {name!r} in the last run")
        widget_id = self.last.components[name][0]
        self.widgets[widget_id] = WidgetState(id=widget_id, json_value=json.dumps(state))
        return await self.rerun()

    async def upload(self, uploader_label: str, name: str, data: bytes,
                     mime: str = "text/csv") -> Run:
        """Upload one file through the uploader whose label starts with `uploader_label`, as the
        frontend does, then rerun with the uploader's new state."""
        ids = [i for i, text in (self.last.uploaders if self.last else {}).items()
               if text.startswith(uploader_label)]
        if len(ids) != 1:
            raise ProtocolError(f"{len(ids)} uploaders labelled {uploader_label!r}")
        request_id = str(uuid.uuid4())
        future = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = future
        back = BackMsg()
        back.file_urls_request.request_id = request_id
        back.file_urls_request.file_names.append(name)
        back.file_urls_request.session_id = self.session_id
        await self.ws.send(back.SerializeToString())
        response = await asyncio.wait_for(future, self.timeout)
        if response.error_msg or len(response.file_urls) != 1:
            raise ProtocolError(f"file URLs refused: {response.error_msg!r}")
        urls: FileURLs = response.file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, data, mime)
        state = WidgetState(id=ids[0])
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self.widgets[ids[0]] = state
        return await self.rerun()

    def _put(self, upload_url: str, name: str, data: bytes, mime: str) -> None:
        parts = urlsplit(self.url)
        path = upload_url if upload_url.startswith("/") else urlsplit(upload_url).path
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n").encode() + data + \
            f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if self.xsrf:
            headers["X-Xsrftoken"] = self.xsrf
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            conn.request("PUT", path, body=body, headers=headers)
            reply = conn.getresponse()
            text = reply.read()[:200]
            if reply.status not in (200, 204):
                raise ProtocolError(f"upload PUT {path}: HTTP {reply.status} {text!r}")
        finally:
            conn.close()
