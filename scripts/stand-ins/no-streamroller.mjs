// Stands in for streamroller, which log4js loads for its own file appenders (file, dateFile)
// together with fs-extra and graceful-fs: about 6 ms of start-up. StoryOS writes its log files
// with its own appender (src/logging/rotating-file.ts) and never configures those.
class LeftOut {
  constructor() {
    throw new Error("log4js's file appenders are not in the StoryOS bundle; use src/logging/appenders.ts");
  }
}

export const RollingFileStream = LeftOut;
export const DateRollingFileStream = LeftOut;
export const RollingFileWriteStream = LeftOut;
