/**
 * S3 and S3-compatible buckets as stores: multipart uploads, ranged and resuming reads, one SDK client per
 * process.
 */
package dev.firesafe.store.s3;
