//! Full-text search over the caller's conversations: FTS5 on SQLite, a GIN-indexed tsvector on
//! PostgreSQL. User text never reaches the query syntax: it is split into words and each word
//! becomes a quoted prefix term (`"word"*` in FTS5, `'word':*` in a tsquery).

use super::entity::{Entity as MessageEntity, Model};
use super::store;
use crate::conversations::Conversations;
use crate::error::Result;
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement, Value};
use shared::limits::SEARCH_RESULTS_MAX;
use shared::{ConversationId, SearchHit, UserId};
use std::collections::HashMap;

#[derive(FromQueryResult)]
struct Hit {
    id: i64,
    snippet: String,
}

/// `"word1"* "word2"*`: every word must match as a prefix; quotes and control characters
/// inside words are dropped (SQLite ends the query string at a NUL: a syntax error).
fn fts5_query(text: &str) -> String {
    text.split_whitespace()
        .map(|word| word.chars().filter(|c| *c != '"' && !c.is_control()).collect::<String>())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{word}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `'word1':* & 'word2':*`: every word must match as a prefix, as on SQLite. Words are cut at
/// anything but letters and digits, so no tsquery syntax (quotes, `&`, `:`, backslash) and no NUL
/// survives; PostgreSQL lower-cases them as it does the indexed text.
fn tsquery(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("'{word}':*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

pub async fn search(
    db: &sea_orm::DatabaseConnection,
    me: UserId,
    text: &str,
    conversation: Option<ConversationId>,
    conversations: &Conversations,
) -> Result<Vec<SearchHit>> {
    let backend = db.get_database_backend();
    let scope = conversation.map(|c| c.0);
    let statement = match backend {
        DbBackend::Postgres => {
            let query = tsquery(text);
            if query.is_empty() {
                return Ok(Vec::new());
            }
            Statement::from_sql_and_values(
                backend,
                "SELECT m.id, ts_headline('simple', m.body, to_tsquery('simple', $1), \
                   'StartSel=[[, StopSel=]], MaxWords=24, MinWords=8') AS snippet \
                 FROM messages m JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = $2 \
                 WHERE to_tsvector('simple', m.body) @@ to_tsquery('simple', $1) \
                   AND m.kind = 'text' AND m.deleted_at IS NULL AND m.seq > mb.joined_seq \
                   AND NOT EXISTS (SELECT 1 FROM message_marks k WHERE k.message_id = m.id \
                     AND k.user_id = mb.user_id AND k.hidden_at IS NOT NULL) \
                   AND ($3::BIGINT IS NULL OR m.conversation_id = $3) \
                 ORDER BY m.id DESC LIMIT $4",
                [Value::from(query), Value::from(me.0), Value::from(scope), Value::from(SEARCH_RESULTS_MAX as i64)],
            )
        }
        _ => {
            let query = fts5_query(text);
            if query.is_empty() {
                return Ok(Vec::new());
            }
            Statement::from_sql_and_values(
                backend,
                "SELECT m.id, snippet(messages_fts, 0, '[[', ']]', '…', 16) AS snippet \
                 FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid \
                 JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = ? \
                 WHERE messages_fts MATCH ? AND m.deleted_at IS NULL AND m.seq > mb.joined_seq \
                   AND NOT EXISTS (SELECT 1 FROM message_marks k WHERE k.message_id = m.id \
                     AND k.user_id = mb.user_id AND k.hidden_at IS NOT NULL) \
                   AND (? IS NULL OR m.conversation_id = ?) \
                 ORDER BY messages_fts.rowid DESC LIMIT ?",
                [
                    Value::from(me.0),
                    Value::from(query),
                    Value::from(scope),
                    Value::from(scope),
                    Value::from(SEARCH_RESULTS_MAX as i64),
                ],
            )
        }
    };
    let hits = Hit::find_by_statement(statement).all(db).await?;
    let rows: HashMap<i64, Model> = MessageEntity::find()
        .filter(<MessageEntity as EntityTrait>::Column::Id.is_in(hits.iter().map(|h| h.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut titles: HashMap<i64, String> = HashMap::new();
    let mut results = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(row) = rows.get(&hit.id).cloned() else { continue };
        let conversation_id = row.conversation_id;
        if let std::collections::hash_map::Entry::Vacant(slot) = titles.entry(conversation_id) {
            slot.insert(conversations.summary(me, ConversationId(conversation_id)).await?.title);
        }
        let message = store::view(db, row).await?;
        results.push(SearchHit {
            message,
            conversation_title: titles.get(&conversation_id).cloned().unwrap_or_default(),
            snippet: hit.snippet,
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::{fts5_query, tsquery};

    #[test]
    fn user_text_cannot_inject_fts5_syntax() {
        assert_eq!(fts5_query("hello wor"), "\"hello\"* \"wor\"*");
        assert_eq!(fts5_query("a\" OR \"b NEAR("), "\"a\"* \"OR\"* \"b\"* \"NEAR(\"*");
        assert_eq!(fts5_query("  \"\" "), "");
        assert_eq!(fts5_query("a\0b \0"), "\"ab\"*");
    }

    #[test]
    fn user_text_cannot_inject_tsquery_syntax() {
        assert_eq!(tsquery("Hello wor"), "'Hello':* & 'wor':*");
        assert_eq!(tsquery("a' | !b:* & (c) \\d\0e"), "'a':* & 'b':* & 'c':* & 'd':* & 'e':*");
        assert_eq!(tsquery("Émile 🦆 %_%"), "'Émile':*");
        assert_eq!(tsquery(" '' "), "");
    }
}
