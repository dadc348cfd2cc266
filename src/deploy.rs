//! Deploying `www` to object storage (S3 and compatible stores: AWS, Scaleway, OVH, MinIO…)
//! through `object_store`, incrementally: every object carries the SHA-256 of its bytes in its
//! metadata (`x-amz-meta-sha256`; an S3 ETag is no content hash: a multipart upload's is not an
//! MD5 of the bytes, and some stores compute it otherwise), an object whose hash is the file's is
//! left alone, a file that is new or changed is uploaded with its Content-Type and
//! Cache-Control, and an object under the prefix that www no longer has (a retracted episode's
//! media, an old page) is deleted.
//!
//! Credentials and the endpoint come from the environment, as every S3 tool reads them:
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL` (a store other
//! than AWS), `AWS_ALLOW_HTTP=true` (a store on this machine).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, GetOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};

use crate::util::{IoContext, IoError};

/// The metadata key of an object's SHA-256.
const SHA256: &str = "sha256";
/// Uploads and checks at once.
const CONCURRENCY: usize = 8;

/// Why a deployment failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("`{0}` is not an object storage address: write s3://BUCKET or s3://BUCKET/PREFIX")]
    Target(String),
    #[error("s3://{bucket}: {why}")]
    Store { bucket: String, why: String },
    #[error("{}: no build to deploy — run `veillee build` first", .0.display())]
    NoBuild(PathBuf),
    #[error(transparent)]
    Io(#[from] IoError),
}

/// Where to deploy: a bucket and a prefix inside it (without slashes at its ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub bucket: String,
    pub prefix: String,
}

impl Target {
    /// `s3://bucket` or `s3://bucket/some/prefix`.
    pub fn parse(text: &str) -> Result<Target, DeployError> {
        let rest = text.strip_prefix("s3://").ok_or_else(|| DeployError::Target(text.to_owned()))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
        if bucket.len() < 3 || !bucket.chars().all(valid) {
            return Err(DeployError::Target(text.to_owned()));
        }
        Ok(Target { bucket: bucket.to_owned(), prefix: prefix.trim_matches('/').to_owned() })
    }

    fn key(&self, rel: &str) -> ObjectPath {
        if self.prefix.is_empty() { ObjectPath::from(rel) } else { ObjectPath::from(format!("{}/{rel}", self.prefix)) }
    }
}

/// What a deployment did.
#[derive(Debug, Default)]
pub struct Deployed {
    /// Paths under www uploaded (new or changed), with their bytes.
    pub uploaded: Vec<String>,
    pub bytes: u64,
    /// Objects deleted (their paths under the prefix).
    pub deleted: Vec<String>,
    pub unchanged: usize,
}

impl Deployed {
    /// The report with every path uploaded or deleted, not only the first ten of each.
    pub fn verbose(&self) -> impl std::fmt::Display + '_ {
        Listing { done: self, limit: usize::MAX }
    }
}

impl std::fmt::Display for Deployed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Listing { done: self, limit: 10 }.fmt(f)
    }
}

struct Listing<'a> {
    done: &'a Deployed,
    limit: usize,
}

impl std::fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (d, limit) = (self.done, self.limit);
        writeln!(
            f,
            "deployed: {} uploaded ({:.1} MB), {} deleted, {} unchanged",
            d.uploaded.len(),
            d.bytes as f64 / 1e6,
            d.deleted.len(),
            d.unchanged
        )?;
        for p in d.uploaded.iter().take(limit) {
            writeln!(f, "  uploaded  {p}")?;
        }
        for p in d.deleted.iter().take(limit) {
            writeln!(f, "  deleted   {p}")?;
        }
        let more = d.uploaded.len().saturating_sub(limit) + d.deleted.len().saturating_sub(limit);
        if more > 0 {
            writeln!(f, "  … and {more} more (`veillee deploy --verbose` lists them all)")?;
        }
        Ok(())
    }
}

/// The files of `www` and their SHA-256, on every core.
fn local_files(www: &Path) -> Result<BTreeMap<String, (PathBuf, String)>, IoError> {
    let files = crate::util::fs::files_under(www)?;
    let hashed = crate::util::par::map(&files, |p| crate::util::hash::sha256_file(p).at(p));
    let mut out = BTreeMap::new();
    for (path, sha) in files.into_iter().zip(hashed) {
        let rel = crate::util::fs::slashed(path.strip_prefix(www).unwrap_or(&path));
        out.insert(rel, (path, sha?));
    }
    Ok(out)
}

/// Deploys `www` to `target`.
pub(crate) fn deploy(www: &Path, target: &Target) -> Result<Deployed, DeployError> {
    let files = local_files(www)?;
    let store_err = |e: object_store::Error| DeployError::Store { bucket: target.bucket.clone(), why: e.to_string() };
    // reqwest's TLS and object_store's signatures use ring (see archive::import::client).
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    // A store that does not answer is said within seconds, not after object_store's default of
    // ten retries over three minutes.
    let retry = object_store::RetryConfig {
        max_retries: 3,
        retry_timeout: std::time::Duration::from_secs(30),
        ..object_store::RetryConfig::default()
    };
    let store =
        AmazonS3Builder::from_env().with_bucket_name(&target.bucket).with_retry(retry).build().map_err(store_err)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| IoError::new("tokio runtime", e))?;
    runtime.block_on(async {
        // What is there: every object under the prefix.
        let prefix = (!target.prefix.is_empty()).then(|| ObjectPath::from(target.prefix.as_str()));
        let listed: Vec<object_store::ObjectMeta> =
            store.list(prefix.as_ref()).try_collect().await.map_err(store_err)?;
        let strip = |key: &ObjectPath| {
            let key = key.as_ref();
            if target.prefix.is_empty() { key.to_owned() } else { key[target.prefix.len() + 1..].to_owned() }
        };
        let remote: BTreeMap<String, u64> = listed.iter().map(|m| (strip(&m.location), m.size)).collect();
        // An object of the same length may hold the same bytes: its hash (metadata) decides.
        let candidates: Vec<(&String, &(PathBuf, String))> = files.iter().collect();
        let checks = futures_util::stream::iter(candidates.into_iter().map(|(rel, (path, sha))| {
            let (store, key, remote) = (&store, target.key(rel), &remote);
            async move {
                let same = match remote.get(rel) {
                    Some(len) if std::fs::metadata(path).is_ok_and(|m| m.len() == *len) => {
                        let head = store.get_opts(&key, GetOptions { head: true, ..GetOptions::default() }).await;
                        head.is_ok_and(|r| {
                            r.attributes.get(&Attribute::Metadata(SHA256.into())).is_some_and(|v| v.as_ref() == sha)
                        })
                    }
                    _ => false,
                };
                (rel.clone(), same)
            }
        }))
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
        let mut done = Deployed::default();
        let to_upload: Vec<&String> = checks.iter().filter(|(_, same)| !same).map(|(rel, _)| rel).collect();
        done.unchanged = checks.len() - to_upload.len();
        let uploads = futures_util::stream::iter(to_upload.into_iter().map(|rel| {
            let (store, key) = (&store, target.key(rel));
            let (path, sha) = &files[rel];
            async move {
                let bytes = tokio::fs::read(path).await.map_err(|e| DeployError::Io(IoError::new(path, e)))?;
                let length = bytes.len() as u64;
                let url_path = format!("/{rel}");
                let mut attributes = Attributes::new();
                if let Some(ct) = crate::util::mime::of_path(&url_path) {
                    attributes.insert(Attribute::ContentType, ct.into());
                }
                attributes.insert(Attribute::CacheControl, crate::util::mime::cache_control(&url_path).into());
                attributes.insert(Attribute::Metadata(SHA256.into()), sha.clone().into());
                let options = PutOptions { attributes, ..PutOptions::default() };
                store.put_opts(&key, PutPayload::from(bytes), options).await.map_err(store_err)?;
                Ok::<_, DeployError>((rel.clone(), length))
            }
        }))
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
        for upload in uploads {
            let (rel, length) = upload?;
            done.bytes += length;
            done.uploaded.push(rel);
        }
        // Deleted after the uploads: a page never links an object that is already gone.
        for rel in remote.keys().filter(|rel| !files.contains_key(*rel)) {
            store.delete(&target.key(rel)).await.map_err(store_err)?;
            done.deleted.push(rel.clone());
        }
        done.uploaded.sort();
        Ok(done)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("s3://podcast-site").unwrap(),
            Target { bucket: "podcast-site".into(), prefix: String::new() }
        );
        assert_eq!(
            Target::parse("s3://podcast-site/www/prod/").unwrap(),
            Target { bucket: "podcast-site".into(), prefix: "www/prod".into() }
        );
        assert!(Target::parse("https://podcast-site").is_err());
        assert!(Target::parse("s3://Podcast_Site").is_err());
    }
}
