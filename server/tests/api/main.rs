//! Integration tests: each boots the real server on 127.0.0.1:0 with a fresh database and talks
//! to it over HTTP and WebSocket, exactly as a browser or another client would.

mod accounts;
mod authz;
mod chat;
mod groups;
mod helpers;
mod pages;
mod security;
mod websocket;
