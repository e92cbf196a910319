//! docs/API.md stays true to the wire: every JSON example parses, every frame example is a
//! real frame in exactly the shape the server and browser (de)serialise, and every frame type
//! is documented.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::frames::{ClientFrame, ServerFrame};
use std::collections::BTreeSet;

fn examples() -> Vec<Value> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/API.md")).expect("docs/API.md");
    doc.split("```json\n")
        .skip(1)
        .map(|block| {
            let json = block.split("```").next().expect("block");
            serde_json::from_str(json).unwrap_or_else(|e| panic!("invalid JSON example ({e}):\n{json}"))
        })
        .collect()
}

/// Parses `example` as `T` and checks that nothing was dropped or renamed on the way.
fn round_trips<T: DeserializeOwned + Serialize>(example: &Value) {
    let parsed: T = serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{e}: {example}"));
    let mut again = serde_json::to_value(parsed).expect("serialise");
    // Optional fields that a client may omit come back as null.
    if let (Value::Object(again), Value::Object(original)) = (&mut again, example) {
        again.retain(|k, v| original.contains_key(k) || !v.is_null());
    }
    assert_eq!(&again, example, "the documented shape differs from the serde shape");
}

#[test]
fn every_frame_example_in_the_api_docs_has_the_serde_shape() {
    let mut documented = BTreeSet::new();
    for example in examples().iter().filter(|e| e.get("type").is_some()) {
        let kind = example["type"].as_str().expect("type").to_owned();
        // `typing` goes both ways: the server's names the typist.
        let from_client = match kind.as_str() {
            "typing" => example.get("user_id").is_none(),
            other => ClientFrame::KINDS.contains(&other),
        };
        if from_client {
            round_trips::<ClientFrame>(example);
        } else {
            round_trips::<ServerFrame>(example);
        }
        documented.insert(kind);
    }
    let server = [
        "hello",
        "pong",
        "ack",
        "message",
        "message_updated",
        "marks",
        "receipt",
        "typing",
        "presence",
        "conversation_updated",
        "conversation_removed",
        "error",
    ];
    for kind in server.iter().chain(ClientFrame::KINDS.iter()) {
        assert!(documented.contains(*kind), "frame {kind} has no example in docs/API.md");
    }
}

#[test]
fn message_examples_in_the_api_docs_have_the_serde_shape() {
    let mut seen = 0;
    let mut check = |value: &Value| {
        if value.get("client_msg_id").is_some() && value.get("seq").is_some() && value.get("kind").is_some() {
            round_trips::<shared::MessageView>(value);
            seen += 1;
        }
    };
    fn walk(value: &Value, check: &mut dyn FnMut(&Value)) {
        check(value);
        match value {
            Value::Object(map) => map.values().for_each(|v| walk(v, check)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, check)),
            _ => {}
        }
    }
    for example in examples() {
        walk(&example, &mut check);
    }
    assert!(seen >= 5, "only {seen} message examples found");
}
