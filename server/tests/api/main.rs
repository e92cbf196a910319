//! Integration tests: each boots the real server on 127.0.0.1:0 with a fresh database and talks
//! to it over HTTP and WebSocket, exactly as a browser or another client would.

mod account_deletion;
mod accounts;
mod authz;
mod connections;
mod conversations;
mod devices;
mod docs;
mod forwards;
mod groups;
mod helpers;
mod hostile;
mod idempotency;
mod marks;
mod media;
mod messages;
mod pages;
mod people;
mod privacy;
mod profiles;
mod reactions;
mod realtime;
mod receipts;
mod search;
mod security;
mod session_sockets;
mod slow_clients;
mod slowloris;
mod sync;
mod uploads;
mod websocket;
mod ws;
