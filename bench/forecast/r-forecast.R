# The R reference for the forecast bench (bench/forecast/run.ts): Hyndman's `forecast` package with
# its defaults. Reads one series per line ("id<TAB>y1 y2 ..." , daily units from the first sale),
# fits ets() and auto.arima() to each as a ts with frequency 7, forecasts h days with a 95 % interval.
# Writes "id,method,h,mean,lower,upper" rows, and the seconds each method took on stderr.
# Usage: Rscript r-forecast.R <input> <output> <h>
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
h <- as.integer(args[3])
lines <- readLines(args[1])
out <- file(args[2], "w")
writeLines("id,method,h,mean,lower,upper", out)
seconds <- c(ets = 0, auto.arima = 0)
failed <- c(ets = 0, auto.arima = 0)
for (line in lines) {
  parts <- strsplit(line, "\t", fixed = TRUE)[[1]]
  id <- parts[1]
  y <- ts(as.numeric(strsplit(parts[2], " ", fixed = TRUE)[[1]]), frequency = 7)
  for (method in c("ets", "auto.arima")) {
    started <- proc.time()[["elapsed"]]
    f <- tryCatch({
      fit <- if (method == "ets") ets(y) else auto.arima(y)
      forecast(fit, h = h, level = 95)
    }, error = function(e) NULL)
    seconds[[method]] <- seconds[[method]] + proc.time()[["elapsed"]] - started
    if (is.null(f)) {
      failed[[method]] <- failed[[method]] + 1
      next
    }
    writeLines(sprintf("%s,%s,%d,%.10g,%.10g,%.10g", id, method, seq_len(h), as.numeric(f$mean),
                       as.numeric(f$lower[, 1]), as.numeric(f$upper[, 1])), out)
  }
}
close(out)
message(sprintf("seconds ets=%.3f auto.arima=%.3f failed ets=%d auto.arima=%d", seconds[["ets"]],
                seconds[["auto.arima"]], failed[["ets"]], failed[["auto.arima"]]))
