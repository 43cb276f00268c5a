//! Binary log events, as far as incremental backups need to read and change them: the
//! common header, which kind of event it is, the database a table map or statement names,
//! the end-of-statement flag of row events, and the CRC32 trailer. Row images themselves
//! are never decoded: the server that restores them reads them (`BINLOG '...'`).

/// Bytes of the v4 event header: timestamp, type, server id, size, end position, flags.
pub const HEADER: usize = 19;

/// Bytes of a CRC32 trailer.
const CRC: usize = 4;

/// Event types (MySQL's and MariaDB's numbering).
pub mod kind {
    pub const QUERY: u8 = 2;
    pub const ROTATE: u8 = 4;
    pub const FORMAT_DESCRIPTION: u8 = 15;
    pub const XID: u8 = 16;
    pub const TABLE_MAP: u8 = 19;
    /// MariaDB: a statement logged compressed.
    pub const QUERY_COMPRESSED: u8 = 165;
    /// MariaDB: the start of an event group (transaction, or one DDL statement).
    pub const GTID: u8 = 162;
}

/// Row events: v1 (MariaDB, MySQL 5.1), v2 (MySQL 5.6+) and MariaDB's compressed ones.
pub fn is_rows(kind: u8) -> bool {
    matches!(kind, 23..=25 | 30..=32 | 166..=171)
}

/// The row-event flag that ends a statement (the server closes its tables after it).
const STMT_END_F: u16 = 1;

/// MariaDB GTID event flag: the group has no COMMIT or XID of its own (one DDL statement,
/// or a change to a non-transactional table).
const FL_STANDALONE: u8 = 1;

/// The parts of an event's header used here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub timestamp: u32,
    pub kind: u8,
    /// Where the next event starts in the file (0 for events the server makes up).
    pub end: u32,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The header, if `event` is as long as it says.
pub fn header(event: &[u8]) -> Option<Header> {
    let size = u32_at(event, 9)? as usize;
    if size != event.len() || size < HEADER {
        return None;
    }
    Some(Header {
        timestamp: u32_at(event, 0)?,
        kind: *event.get(4)?,
        end: u32_at(event, 13)?,
    })
}

/// An event's body: after the header, before the CRC32 trailer when there is one.
pub fn body(event: &[u8], checksummed: bool) -> &[u8] {
    let end = if checksummed {
        event.len().saturating_sub(CRC)
    } else {
        event.len()
    };
    event.get(HEADER..end).unwrap_or_default()
}

/// Whether a format description event says the events after it carry a CRC32 (its
/// checksum algorithm byte sits just before its own 4-byte checksum).
pub fn crc_after(format_description: &[u8]) -> bool {
    format_description
        .len()
        .checked_sub(CRC + 1)
        .and_then(|at| format_description.get(at))
        == Some(&1)
}

/// Whether a checksummed event's trailer matches its bytes.
pub fn crc_ok(event: &[u8]) -> bool {
    let Some(split) = event.len().checked_sub(CRC) else {
        return false;
    };
    let (bytes, trailer) = event.split_at(split);
    crc32fast::hash(bytes).to_le_bytes() == trailer
}

/// Writes a new CRC32 trailer after changing a checksummed event.
fn seal(event: &mut [u8]) {
    let split = event.len() - CRC;
    let crc = crc32fast::hash(&event[..split]);
    event[split..].copy_from_slice(&crc.to_le_bytes());
}

/// The table id of a table map or row event (6 bytes, first in the post-header).
pub fn table_id(event: &[u8]) -> Option<u64> {
    let bytes = event.get(HEADER..HEADER + 6)?;
    let mut id = [0u8; 8];
    id[..6].copy_from_slice(bytes);
    Some(u64::from_le_bytes(id))
}

/// The database and table a table map event names.
pub fn table_map_names(event: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = event.get(HEADER + 8..)?;
    let db_len = usize::from(*rest.first()?);
    let db = rest.get(1..1 + db_len)?;
    let rest = rest.get(1 + db_len + 1..)?;
    let table_len = usize::from(*rest.first()?);
    let table = rest.get(1..1 + table_len)?;
    Some((db, table))
}

/// A table map event naming `database` instead of its own, resealed.
pub fn renamed_table_map(event: &[u8], database: &str, checksummed: bool) -> Option<Vec<u8>> {
    let (old, _) = table_map_names(event)?;
    let new_len = u8::try_from(database.len()).ok()?;
    let db_at = HEADER + 8 + 1;
    let mut out = Vec::with_capacity(event.len() + database.len());
    out.extend_from_slice(&event[..HEADER + 8]);
    out.push(new_len);
    out.extend_from_slice(database.as_bytes());
    out.extend_from_slice(&event[db_at + old.len()..]);
    let size = u32::try_from(out.len()).ok()?;
    out[9..13].copy_from_slice(&size.to_le_bytes());
    if checksummed {
        seal(&mut out);
    }
    Some(out)
}

/// Whether a row event ends its statement.
pub fn ends_statement(event: &[u8]) -> bool {
    u16_at(event, HEADER + 6).is_some_and(|flags| flags & STMT_END_F != 0)
}

/// A copy of a row event marked as the end of its statement, resealed.
pub fn ending_statement(event: &[u8], checksummed: bool) -> Vec<u8> {
    let mut out = event.to_vec();
    if let Some(flags) = u16_at(&out, HEADER + 6) {
        out[HEADER + 6..HEADER + 8].copy_from_slice(&(flags | STMT_END_F).to_le_bytes());
        if checksummed {
            seal(&mut out);
        }
    }
    out
}

/// Whether a MariaDB GTID event starts a group with no commit of its own.
pub fn gtid_standalone(event: &[u8], checksummed: bool) -> bool {
    body(event, checksummed)
        .get(12)
        .is_some_and(|flags| flags & FL_STANDALONE != 0)
}

/// A statement event's default database and text (the text is `None` when compressed).
pub fn query_parts(
    event: &[u8],
    checksummed: bool,
    compressed: bool,
) -> Option<(&[u8], Option<&[u8]>)> {
    let body = body(event, checksummed);
    let db_len = usize::from(*body.get(8)?);
    let status_len = usize::from(u16_at(body, 11)?);
    let db_at = 13 + status_len;
    let db = body.get(db_at..db_at + db_len)?;
    let text = body.get(db_at + db_len + 1..)?;
    Some((db, (!compressed).then_some(text)))
}

/// The file a rotate event moves to.
pub fn rotate_target(event: &[u8], checksummed: bool) -> Option<String> {
    let name = body(event, checksummed).get(8..)?;
    String::from_utf8(name.to_vec()).ok()
}

/// Whether a statement names `database` as a whole word (a quoted or bare identifier):
/// statements run from another default database can still change this one.
pub fn mentions(text: &[u8], database: &str) -> bool {
    let text = String::from_utf8_lossy(text).to_lowercase();
    let database = database.to_lowercase();
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(&database).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + database.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event of `kind` with this post-header and body, checksummed.
    fn event(kind: u8, end: u32, payload: &[u8]) -> Vec<u8> {
        let size = (HEADER + payload.len() + CRC) as u32;
        let mut out = Vec::new();
        out.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        out.push(kind);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&end.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&[0; CRC]);
        seal(&mut out);
        out
    }

    fn table_map(db: &str, table: &str) -> Vec<u8> {
        let mut payload = vec![18, 0, 0, 0, 0, 0, 1, 0];
        payload.push(db.len() as u8);
        payload.extend_from_slice(db.as_bytes());
        payload.push(0);
        payload.push(table.len() as u8);
        payload.extend_from_slice(table.as_bytes());
        payload.extend_from_slice(&[0, 1, 3, 0, 0]);
        event(kind::TABLE_MAP, 500, &payload)
    }

    #[test]
    fn a_table_map_is_renamed_and_resealed() {
        let original = table_map("shop", "orders");
        assert!(crc_ok(&original));
        assert_eq!(table_id(&original), Some(18));
        let renamed = renamed_table_map(&original, "shop_restored", true).unwrap();
        assert_eq!(
            table_map_names(&renamed),
            Some((&b"shop_restored"[..], &b"orders"[..]))
        );
        assert_eq!(header(&renamed).unwrap().kind, kind::TABLE_MAP);
        assert!(crc_ok(&renamed), "the trailer covers the new bytes");
        assert!(renamed_table_map(&original, &"x".repeat(300), true).is_none());
    }

    #[test]
    fn a_row_event_can_be_made_to_end_its_statement() {
        let rows = event(23, 900, &[18, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
        assert!(!ends_statement(&rows));
        let ended = ending_statement(&rows, true);
        assert!(ends_statement(&ended));
        assert!(crc_ok(&ended));
        assert_eq!(table_id(&ended), Some(18));
    }

    #[test]
    fn headers_and_statements_are_read() {
        let mut payload = Vec::new();
        payload.extend_from_slice(&7u32.to_le_bytes()); // thread
        payload.extend_from_slice(&0u32.to_le_bytes()); // exec time
        payload.push(4); // db length
        payload.extend_from_slice(&0u16.to_le_bytes()); // error code
        payload.extend_from_slice(&2u16.to_le_bytes()); // status vars length
        payload.extend_from_slice(&[9, 9]);
        payload.extend_from_slice(b"shop\0ALTER TABLE orders ADD x INT");
        let query = event(kind::QUERY, 1234, &payload);
        let read = header(&query).unwrap();
        assert_eq!((read.kind, read.end), (kind::QUERY, 1234));
        let (db, text) = query_parts(&query, true, false).unwrap();
        assert_eq!(db, b"shop");
        assert_eq!(text.unwrap(), b"ALTER TABLE orders ADD x INT");
        assert!(header(&query[..query.len() - 1]).is_none(), "cut short");
        let mut damaged = query.clone();
        damaged[30] ^= 1;
        assert!(!crc_ok(&damaged));
    }

    #[test]
    fn a_database_is_mentioned_only_as_a_whole_name() {
        assert!(mentions(b"UPDATE `shop`.`orders` SET x = 1", "shop"));
        assert!(mentions(b"update Shop.orders set x = 1", "shop"));
        assert!(!mentions(b"UPDATE shop2.orders SET x = 1", "shop"));
        assert!(!mentions(b"UPDATE workshop.orders SET x = 1", "shop"));
    }
}
