{
  "targets": [
    {
      "target_name": "storyos_scan",
      "sources": ["src/logging/reader/native/scan.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"]
    }
  ]
}
