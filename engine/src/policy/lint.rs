//! Lint: findings about policies (filled in below).
