//! Roles. Every user has exactly one; `user` and `admin` always exist, and systems add
//! their own (`chef`, `author`) through [`crate::system::System::roles`].

/// The role every new account gets.
pub const USER: &str = "user";
/// Full access, including user administration. An admin passes every role check.
pub const ADMIN: &str = "admin";

/// The set of roles a deployment knows about.
#[derive(Clone, Debug)]
pub struct Roles(Vec<&'static str>);

impl Roles {
    /// `user`, `admin` and the given extra roles (duplicates ignored).
    pub fn with(extra: impl IntoIterator<Item = &'static str>) -> Self {
        let mut roles = vec![USER, ADMIN];
        for role in extra {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        Self(roles)
    }

    /// The known role equal to `name`, if any.
    pub fn find(&self, name: &str) -> Option<&'static str> {
        self.0.iter().copied().find(|role| *role == name)
    }

    /// Every known role.
    pub fn all(&self) -> &[&'static str] {
        &self.0
    }
}

impl Default for Roles {
    fn default() -> Self {
        Self::with([])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_roles_join_the_built_in_ones_once() {
        let roles = Roles::with(["chef", "chef", "admin"]);
        assert_eq!(roles.all(), ["user", "admin", "chef"]);
        assert_eq!(roles.find("chef"), Some("chef"));
        assert_eq!(roles.find("root"), None);
    }
}
