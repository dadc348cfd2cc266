//! Creating a show (`init`) and its pages (`new`): the templates of the files people then edit.

use std::path::{Path, PathBuf};

use super::{Project, ProjectError};
use crate::catalog::{TerritoryKind, podcast_guid_for, slug};
use crate::util::{IoContext, IoError};

/// What `init` needs to write a channel.toml.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub author: String,
    pub owner_name: String,
    pub owner_email: String,
    pub language: String,
    pub category: String,
    pub subcategory: Option<String>,
    pub license_id: String,
    pub license_url: String,
    pub copyright: String,
    pub cover: Option<PathBuf>,
}

impl Project {
    /// Creates a new show in `dir`: `feed/channel.toml`, the source directories, and the cover.
    pub fn init(dir: &Path, o: &InitOptions) -> Result<Vec<PathBuf>, ProjectError> {
        let channel = dir.join("feed/channel.toml");
        if channel.exists() {
            return Err(ProjectError::Exists { path: channel });
        }
        let base_url = o.base_url.trim_end_matches('/');
        if !base_url.starts_with("https://") || !crate::catalog::is_site_root(base_url) {
            return Err(ProjectError::Invalid {
                what: "--base-url",
                value: o.base_url.clone(),
                why: "the public address of the show starts with https:// and is the root of its host (no path)",
            });
        }
        // Computed once from the first feed URL, then stored: the show keeps it if it moves.
        let guid = podcast_guid_for(&format!("{base_url}/feed.xml"));
        let mut created = Vec::new();
        for sub in ["episodes", "transcripts", "site/methods", "site/partners", "site/territories"] {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d).at(&d)?;
        }
        // What git should never hold: outputs, caches and staff accounts, and the recordings
        // `veillee master` reads and `/admin/` keeps (an hour of WAV is 635 MB; the episode's MP3
        // is committed).
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "/build\n.veillee/\n*.wav\n*.WAV\n*.flac\n*.FLAC\n/episodes/*.recording.*\n")
                .at(&ignore)?;
            created.push(ignore);
        }
        let image = match &o.cover {
            Some(cover) => {
                let ext = cover.extension().and_then(|e| e.to_str()).unwrap_or("jpg").to_ascii_lowercase();
                let name = format!("cover.{ext}");
                let target = dir.join("feed").join(&name);
                std::fs::create_dir_all(dir.join("feed")).at(&target)?;
                std::fs::copy(cover, &target).at(cover)?;
                created.push(target);
                name
            }
            None => "cover.jpg".to_owned(),
        };
        let subcategory = o.subcategory.as_ref().map(|s| format!("subcategory = {}\n", quote(s))).unwrap_or_default();
        let text = format!(
            "# The show: `veillee check` checks every field; a field it does not know is an error.\n\
         title = {title}\n\
         description = {description}\n\
         language = {language}\n\
         # The public https address of the website; the feed is at <base_url>/feed.xml.\n\
         base_url = {base_url}\n\
         author = {author}\n\
         owner = {{ name = {owner}, email = {email} }}\n\
         # One of Apple's categories (and optionally one of its subcategories).\n\
         category = {category}\n\
         {subcategory}\
         explicit = false\n\
         type = \"episodic\"\n\
         copyright = {copyright}\n\
         license = {{ id = {license_id}, url = {license_url} }}\n\
         # Computed once by `veillee init` from the first feed address: never change it.\n\
         podcast_guid = \"{guid}\"\n\
         locked = true\n\
         medium = \"podcast\"\n\
         # A square RGB JPEG or PNG of 1400 to 3000 pixels, in feed/.\n\
         image = {image}\n",
            title = quote(&o.title),
            description = quote(&o.description),
            language = quote(&o.language),
            base_url = quote(base_url),
            author = quote(&o.author),
            owner = quote(&o.owner_name),
            email = quote(&o.owner_email),
            category = quote(&o.category),
            copyright = quote(&o.copyright),
            license_id = quote(&o.license_id),
            license_url = quote(&o.license_url),
            image = quote(&image),
        );
        write_new(&channel, &text)?;
        created.insert(0, channel);
        Ok(created)
    }

    /// Creates a page skeleton named after the slug of `title`; returns its path.
    pub fn new_page(&self, page: &NewPage, title: &str) -> Result<PathBuf, ProjectError> {
        new_page(self.root(), page, title, self.now())
    }
}

/// The kinds of page `new` creates.
#[derive(Debug, Clone)]
pub enum NewPage {
    Episode,
    Method,
    Partner,
    Territory { kind: TerritoryKind, lat: f64, lon: f64, insee: Option<String>, postcode: Option<String> },
}

fn new_page(root: &Path, page: &NewPage, title: &str, now: jiff::Timestamp) -> Result<PathBuf, ProjectError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ProjectError::Invalid { what: "title", value: title.into(), why: "it is empty" });
    }
    let slug = slug::slugify(title);
    let uuid = uuid::Uuid::new_v4();
    let (dir, text) = match page {
        NewPage::Episode => (
            "episodes",
            format!(
                "+++\n\
                 title = {title}\n\
                 # Minted once: never change it, even when the title or the slug changes.\n\
                 guid = \"{uuid}\"\n\
                 date = {date}\n\
                 # Optional: summary, season, number, type (full | trailer | bonus), explicit, audio, image.\n\
                 partners = []\n\
                 methods = []\n\
                 territories = []\n\
                 persons = []\n\
                 # chapters = '''\n\
                 # 00:00 Ouverture\n\
                 # 01:10 Un chapitre sur une méthode [slug-de-la-methode]\n\
                 # '''\n\
                 +++\n\
                 Les notes de l'épisode, en Markdown. Mettez l'audio à côté : episodes/{slug}.mp3\n",
                title = quote(title),
                date = now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ),
        ),
        NewPage::Method => (
            "site/methods",
            format!(
                "+++\ntitle = {title}\nsummary = \"\"\nsynonyms = []\npartners = []\n# The GUID of this method's own feed; never change it.\nfeed_guid = \"{uuid}\"\n+++\n",
                title = quote(title)
            ),
        ),
        NewPage::Partner => (
            "site/partners",
            format!(
                "+++\nname = {name}\n# website = \"https://…\"\nterritories = []\n# The GUID of this partner's own feed; never change it.\nfeed_guid = \"{uuid}\"\n+++\n",
                name = quote(title)
            ),
        ),
        NewPage::Territory { kind, lat, lon, insee, postcode } => {
            let kind = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let mut text = format!("+++\nname = {}\nkind = \"{kind}\"\n", quote(title));
            if let Some(insee) = insee {
                text.push_str(&format!("insee = {}\n", quote(insee)));
            }
            if let Some(postcode) = postcode {
                text.push_str(&format!("postcode = {}\n", quote(postcode)));
            }
            text.push_str(&format!(
                "lat = {lat}\nlon = {lon}\ncountry = \"FR\"\n# osm = \"R…\" only when known\n+++\n"
            ));
            ("site/territories", text)
        }
    };
    if let NewPage::Territory { lat, lon, .. } = page
        && (!(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon))
    {
        return Err(ProjectError::Invalid {
            what: "coordinates",
            value: format!("{lat}, {lon}"),
            why: "latitude is within ±90 and longitude within ±180",
        });
    }
    if matches!(page, NewPage::Episode) {
        let ledger = crate::catalog::ledger::Ledger::load(root).map_err(ProjectError::Ledger)?;
        if ledger.has_used_slug(&slug) {
            return Err(ProjectError::SlugUsed { slug });
        }
    }
    let path = root.join(dir).join(format!("{slug}.md"));
    write_new(&path, &text)?;
    Ok(path)
}

/// Writes a file that must not exist yet (atomically, so a crash leaves nothing half-written).
fn write_new(path: &Path, text: &str) -> Result<(), ProjectError> {
    if path.exists() {
        return Err(ProjectError::Exists { path: path.to_path_buf() });
    }
    crate::util::fs::write_atomic(path, text.as_bytes()).map_err(|e| IoError::new(path, e).into())
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}
