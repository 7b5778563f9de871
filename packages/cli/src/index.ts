// This package is a skeleton: its issue has not landed yet, and it exports nothing.
export {};
