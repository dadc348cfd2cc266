/// An I/O error and the file it happened on: the one shape every stage reports I/O with.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct IoError {
    pub path: std::path::PathBuf,
    pub source: std::io::Error,
}

impl IoError {
    pub fn new(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        IoError { path: path.into(), source }
    }
}

/// `.at(path)` on an `io::Result`: the error gets its file.
pub(crate) trait IoContext<T> {
    fn at(self, path: impl AsRef<std::path::Path>) -> Result<T, IoError>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl AsRef<std::path::Path>) -> Result<T, IoError> {
        self.map_err(|e| IoError::new(path.as_ref(), e))
    }
}
