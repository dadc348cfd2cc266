//! `deploy`: the current build's www to object storage ([`crate::deploy`]), after a build.

use super::Project;
use crate::deploy::{DeployError, Deployed, Target};
use crate::generate::{self, BuildLock};

impl Project {
    /// Builds, then deploys `build/current/www` to `target` (`s3://BUCKET/PREFIX`).
    pub fn deploy(&self, target: &str) -> Result<(Deployed, generate::Report), DeployError> {
        let target = Target::parse(target)?;
        let report = self
            .build(&super::BuildOptions::default())
            .map_err(|e| DeployError::Store { bucket: target.bucket.clone(), why: format!("the build failed: {e}") })?;
        // Held while the files are read: no build replaces the generation meanwhile.
        let _lock = BuildLock::acquire(self.root())
            .map_err(|e| DeployError::Store { bucket: target.bucket.clone(), why: e.to_string() })?;
        let current =
            generate::current_generation(self.root()).ok_or_else(|| DeployError::NoBuild(self.root().join("build")))?;
        Ok((crate::deploy::deploy(&current.www(), &target)?, report))
    }
}
