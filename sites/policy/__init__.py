"""等保三级 login rules: a second factor (TOTP), the password policy and the session policy."""
