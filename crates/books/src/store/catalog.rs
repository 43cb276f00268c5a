//! The catalog in memory: books by id (UUID v7, so in creation order) and the ISBN index,
//! and the changes the writer applies to it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{SubsecRound, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::auth::role::ADMIN;
use uuid::Uuid;

use crate::model::{Book, BookFields};

/// A stored book with its precomputed search text and JSON line.
#[derive(Debug)]
pub struct Entry {
    /// The book.
    pub book: Book,
    /// Lowercased title, authors, ISBN and tags.
    pub search: String,
    /// The book as one line of the file. Kept so that a rewrite of the file copies bytes
    /// instead of serialising every book again: a change costs one serialisation.
    pub json: Box<[u8]>,
}

impl Entry {
    fn new(book: Book) -> Arc<Self> {
        let search = book.search_text();
        // A `Book` is strings, numbers, UUIDs and times: serialising it cannot fail.
        let json = serde_json::to_vec(&book)
            .unwrap_or_default()
            .into_boxed_slice();
        Arc::new(Self { book, search, json })
    }
}

/// One consistent version of the catalog. Cloning copies pointers, not books.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    books: BTreeMap<Uuid, Arc<Entry>>,
    isbns: HashMap<String, Uuid>,
}

/// A change, as queued for the writer.
#[derive(Debug)]
pub enum Change {
    /// Add a book.
    Create(BookFields),
    /// Replace a book's fields.
    Replace(Uuid, BookFields),
    /// Remove a book.
    Delete(Uuid),
}

/// What a change did.
#[derive(Debug)]
pub enum Outcome {
    /// The created or replaced book.
    Saved(Arc<Entry>),
    /// The book is gone.
    Deleted,
}

fn isbn_taken() -> ApiError {
    ApiError::conflict("isbn_taken", "another book already has this ISBN")
}

impl Catalog {
    /// A catalog of these (already checked) books.
    pub fn from_books(books: Vec<Book>) -> Self {
        let mut catalog = Self::default();
        for book in books {
            if let Some(isbn) = &book.isbn {
                catalog.isbns.insert(isbn.clone(), book.id);
            }
            catalog.books.insert(book.id, Entry::new(book));
        }
        catalog
    }

    /// How many books.
    pub fn len(&self) -> usize {
        self.books.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.books.is_empty()
    }

    /// One book.
    pub fn get(&self, id: &Uuid) -> Option<&Arc<Entry>> {
        self.books.get(id)
    }

    /// Every book, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Arc<Entry>> {
        self.books.values()
    }

    /// Applies one change for `actor`, or says why not (leaving the catalog as it was).
    pub fn apply(
        &mut self,
        change: Change,
        actor: &AuthUser,
        max_books: usize,
    ) -> Result<Outcome, ApiError> {
        let now = Utc::now().trunc_subsecs(6);
        match change {
            Change::Create(fields) => {
                if self.books.len() >= max_books {
                    return Err(ApiError::conflict(
                        "catalog_full",
                        format!("the catalog holds at most {max_books} books"),
                    ));
                }
                if fields
                    .isbn
                    .as_ref()
                    .is_some_and(|i| self.isbns.contains_key(i))
                {
                    return Err(isbn_taken());
                }
                let book = Book {
                    id: Uuid::now_v7(),
                    title: fields.title,
                    authors: fields.authors,
                    isbn: fields.isbn,
                    published_year: fields.published_year,
                    tags: fields.tags,
                    created_by: actor.id,
                    created_at: now,
                    updated_at: now,
                };
                Ok(Outcome::Saved(self.insert(book)))
            }
            Change::Replace(id, fields) => {
                let old = self.owned(&id, actor)?;
                let holder = fields.isbn.as_ref().and_then(|i| self.isbns.get(i));
                if holder.is_some_and(|holder| *holder != id) {
                    return Err(isbn_taken());
                }
                let book = Book {
                    title: fields.title,
                    authors: fields.authors,
                    isbn: fields.isbn,
                    published_year: fields.published_year,
                    tags: fields.tags,
                    updated_at: now,
                    ..old.book.clone()
                };
                self.remove(&id);
                Ok(Outcome::Saved(self.insert(book)))
            }
            Change::Delete(id) => {
                self.owned(&id, actor)?;
                self.remove(&id);
                Ok(Outcome::Deleted)
            }
        }
    }

    /// The book, if the actor may change it: its creator or an admin.
    fn owned(&self, id: &Uuid, actor: &AuthUser) -> Result<Arc<Entry>, ApiError> {
        let entry = self
            .books
            .get(id)
            .ok_or_else(|| ApiError::not_found("book"))?;
        if entry.book.created_by != actor.id && actor.role != ADMIN {
            return Err(ApiError::forbidden(
                "only the account that added this book, or an admin, may change it",
            ));
        }
        Ok(entry.clone())
    }

    fn insert(&mut self, book: Book) -> Arc<Entry> {
        if let Some(isbn) = &book.isbn {
            self.isbns.insert(isbn.clone(), book.id);
        }
        let entry = Entry::new(book);
        self.books.insert(entry.book.id, entry.clone());
        entry
    }

    fn remove(&mut self, id: &Uuid) {
        if let Some(entry) = self.books.remove(id)
            && let Some(isbn) = &entry.book.isbn
        {
            self.isbns.remove(isbn);
        }
    }
}
