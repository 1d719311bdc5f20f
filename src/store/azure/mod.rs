//! Azure Blob Storage backend on the official SDK crates (azure_storage_blob 1.x,
//! azure_identity 1.x). Built by the Azure issue.
