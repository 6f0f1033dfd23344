// The demo page's behaviour: an echo panel and a chat room, both on the
// browser's native WebSocket, talking to the server in server.mjs at /echo
// and /chat on the page's own host.
'use strict';

const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
const $ = (id) => document.getElementById(id);

/** Appends a line to a log list and keeps the newest line in view. */
function log(list, text, kind) {
  const item = document.createElement('li');
  item.textContent = text;
  if (kind) item.className = kind;
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

// Echo panel: open a connection on demand, send what is typed, close it.
let echo = null;

function setEchoState(state) {
  $('echo-status').textContent = state;
  $('echo-open').disabled = state !== 'closed';
  $('echo-close').disabled = state !== 'open';
  $('echo-send').disabled = state !== 'open';
}

$('echo-open').addEventListener('click', () => {
  const logList = $('echo-log');
  echo = new WebSocket(`${base}/echo`);
  setEchoState('connecting');
  echo.onopen = () => {
    setEchoState('open');
    // WebSocket.extensions: the Sec-WebSocket-Extensions the server answered.
    $('echo-extensions').textContent = echo.extensions || 'none';
    log(logList, 'OPEN', 'info');
  };
  echo.onmessage = (event) => log(logList, `RESPONSE: ${event.data}`);
  echo.onerror = () => log(logList, 'ERROR', 'error');
  echo.onclose = (event) => {
    setEchoState('closed');
    log(logList, `CLOSE ${event.code}${event.reason ? ` ${event.reason}` : ''}`, 'info');
    echo = null;
  };
});

$('echo-close').addEventListener('click', () => echo?.close(1000, 'closed from the page'));

$('echo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('echo-input').value;
  if (!echo || echo.readyState !== WebSocket.OPEN) return;
  log($('echo-log'), `SEND: ${text}`, 'sent');
  echo.send(text);
});

// Chat room: one connection for the page's life; every message sent is
// broadcast by the server to everyone in the room, the sender included.
const chatName = $('chat-name');
chatName.value = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;

function connectChat() {
  const chat = new WebSocket(`${base}/chat`);
  const logList = $('chat-log');
  chat.onopen = () => {
    $('chat-status').textContent = 'connected';
    $('chat-extensions').textContent = chat.extensions || 'none';
    $('chat-send').disabled = false;
  };
  chat.onmessage = (event) => log(logList, event.data);
  chat.onclose = (event) => {
    $('chat-status').textContent = `disconnected (${event.code})`;
    $('chat-send').disabled = true;
  };
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('chat-input');
    const text = input.value.trim();
    if (!text || chat.readyState !== WebSocket.OPEN) return;
    chat.send(`${chatName.value.trim() || 'anonymous'}: ${text}`);
    input.value = '';
    input.focus();
  });
}

connectChat();
