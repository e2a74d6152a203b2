-- POSTs one Open Inference Protocol request body over and over, for cross-checking the harness with wrk:
--   MLOPS_WRK_BODY=body.json [MLOPS_WRK_TOKEN=...] wrk -t 2 -c 64 -d 10s --latency -s infer.lua http://host:8080/v2/models/NAME/infer
-- The body comes from a file because a batch's JSON is far too long for a command line
-- (`mlops-loadtest payload -o body.json` writes one). The harness embeds this file (WrkRunner.Script).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local path = os.getenv("MLOPS_WRK_BODY")
if path == nil or path == "" then
  error("set MLOPS_WRK_BODY to the file that holds the request body")
end

local file = assert(io.open(path, "rb"))
wrk.body = file:read("*a")
file:close()

-- An endpoint with Agent:Serving:Auth token wants a bearer token; it comes from the environment, not argv.
local token = os.getenv("MLOPS_WRK_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
