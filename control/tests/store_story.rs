//! One story about the account store, told to SQLite and to MariaDB: the same
//! calls must give the same answers on both backends.

mod common;

use encap_control::store::{Expiring, NewUser, Store, StoreError, Table, Taken};

const HASH: &str = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
const NOW: i64 = 1_800_000_000;

fn new_user<'a>(name: &'a str, key: &'a str, email: &'a str) -> NewUser<'a> {
    NewUser {
        name,
        name_key: key,
        email,
        password_hash: HASH,
        confirmed: false,
    }
}

fn code(digest: &str, expires_at: i64) -> Option<Expiring<'_>> {
    Some(Expiring { digest, expires_at })
}

async fn story(store: &Store) {
    // Accounts, with Unicode and SQL metacharacters kept byte for byte.
    let alice = store
        .create_user(
            &new_user("Alice", "alice", "alice@example.org"),
            code(&"a".repeat(64), NOW + 60),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        (alice.name.as_str(), alice.confirmed, alice.created_at),
        ("Alice", false, NOW)
    );
    let odd_name = "Zoë_中文.x-1";
    let odd_email = "o'brien\"; drop table users;--@exämple.org";
    let zoe = store
        .create_user(
            &new_user(odd_name, &odd_name.to_lowercase(), odd_email),
            None,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        (zoe.name.as_str(), zoe.email.as_str()),
        (odd_name, odd_email)
    );
    // "rene" and "rené" are different accounts on both backends.
    store
        .create_user(&new_user("rene", "rene", "rene@example.org"), None, NOW)
        .await
        .unwrap();
    store
        .create_user(&new_user("rené", "rené", "rene2@example.org"), None, NOW)
        .await
        .unwrap();

    // Taken names and emails say which.
    let taken = store
        .create_user(&new_user("ALICE", "alice", "other@example.org"), None, NOW)
        .await;
    assert!(
        matches!(taken, Err(StoreError::Taken(Taken::Name))),
        "{taken:?}"
    );
    let taken = store
        .create_user(
            &new_user("alice2", "alice2", "alice@example.org"),
            None,
            NOW,
        )
        .await;
    assert!(
        matches!(taken, Err(StoreError::Taken(Taken::Email))),
        "{taken:?}"
    );

    // Credentials by name key or by email.
    let by_name = store.credentials("alice").await.unwrap().unwrap();
    assert_eq!(
        (by_name.user.id, by_name.password_hash.as_str()),
        (alice.id, HASH)
    );
    let by_email = store
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_email.user.id, alice.id);
    assert_eq!(
        store.credentials(odd_email).await.unwrap().unwrap().user.id,
        zoe.id
    );
    assert!(store.credentials("nobody").await.unwrap().is_none());
    assert!(store.credentials("' OR '1'='1").await.unwrap().is_none());
    store
        .set_password_hash(alice.id, "$argon2id$new", NOW + 1)
        .await
        .unwrap();
    assert_eq!(
        store
            .credentials("alice")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$new"
    );

    // Confirmation codes: unknown, expired, replaced, used once.
    assert!(store.confirm(&"b".repeat(64), NOW).await.unwrap().is_none());
    assert!(
        store
            .confirm(&"a".repeat(64), NOW + 60)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let unconfirmed = store
        .unconfirmed_by_email("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unconfirmed.id, alice.id);
    store
        .replace_code(
            alice.id,
            Expiring {
                digest: &"c".repeat(64),
                expires_at: NOW + 600,
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(store.count(Table::ConfirmationCodes).await.unwrap(), 1);
    let confirmed = store
        .confirm(&"c".repeat(64), NOW + 1)
        .await
        .unwrap()
        .unwrap();
    assert!(confirmed.confirmed);
    assert!(
        store
            .confirm(&"c".repeat(64), NOW + 2)
            .await
            .unwrap()
            .is_none(),
        "used once"
    );
    assert!(
        store
            .unconfirmed_by_email("alice@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.count(Table::ConfirmationCodes).await.unwrap(), 0);

    // Sessions: found until they expire or are deleted.
    let token = "d".repeat(64);
    store
        .create_session(
            alice.id,
            Expiring {
                digest: &token,
                expires_at: NOW + 100,
            },
            NOW,
        )
        .await
        .unwrap();
    let (user, expires) = store.session(&token, NOW + 99).await.unwrap().unwrap();
    assert_eq!(
        (user.id, expires, user.confirmed),
        (alice.id, NOW + 100, true)
    );
    assert!(store.session(&token, NOW + 100).await.unwrap().is_none());
    assert!(store.delete_session(&token).await.unwrap());
    assert!(!store.delete_session(&token).await.unwrap());

    // Rate-limit buckets: counted per fixed window, restarted after it.
    for n in 1..=3 {
        assert_eq!(store.hit("login:alice", 60, NOW).await.unwrap(), (n, NOW));
    }
    assert_eq!(
        store.peek("login:alice", 60, NOW + 59).await.unwrap(),
        (3, NOW)
    );
    assert_eq!(
        store.peek("login:alice", 60, NOW + 60).await.unwrap(),
        (0, NOW + 60)
    );
    assert_eq!(
        store.hit("login:alice", 60, NOW + 60).await.unwrap(),
        (1, NOW + 60)
    );
    assert_eq!(
        store.hit("login:alice", 60, NOW + 61).await.unwrap(),
        (2, NOW + 60)
    );
    store.clear("login:alice").await.unwrap();
    assert_eq!(store.peek("login:alice", 60, NOW + 61).await.unwrap().0, 0);
    assert_eq!(store.hit("addr:2001:db8::1", 60, NOW).await.unwrap().0, 1);

    // Purging removes what expired and nothing else.
    store
        .create_session(
            zoe.id,
            Expiring {
                digest: &"e".repeat(64),
                expires_at: NOW + 10,
            },
            NOW,
        )
        .await
        .unwrap();
    store
        .create_session(
            zoe.id,
            Expiring {
                digest: &"f".repeat(64),
                expires_at: NOW + 1000,
            },
            NOW,
        )
        .await
        .unwrap();
    store.purge(NOW + 10, 3600).await.unwrap();
    assert_eq!(store.count(Table::Sessions).await.unwrap(), 1);
    store.purge(NOW + 7200, 3600).await.unwrap();
    assert_eq!(store.count(Table::RateLimits).await.unwrap(), 0);

    // Exactly the accounts created, in order.
    let names: Vec<_> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["Alice", odd_name, "rene", "rené"]);
}

#[tokio::test]
async fn the_story_on_sqlite() {
    let database = common::fresh_sqlite("store-story");
    let url = database.url();
    let store = Store::connect(&url).await.unwrap();
    story(&store).await;
    store.close().await;
    // Migrations are applied once: connecting again finds the data.
    let again = Store::connect(&url).await.unwrap();
    assert_eq!(again.count(Table::Users).await.unwrap(), 4);
}

#[tokio::test]
async fn the_story_on_mariadb() {
    let Some(url) = common::fresh_mysql("store_story").await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    story(&store).await;
    store.close().await;
    let again = Store::connect(&url).await.unwrap();
    assert_eq!(again.count(Table::Users).await.unwrap(), 4);
}
