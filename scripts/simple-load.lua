-- wrk script: POST one valid order per request (one line of the e-book, whose
-- demo stock is large). Used by scripts/simple-load.sh for the README figure.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"customerId":"load-%d","currency":"USD","paymentToken":"tok_visa",' ..
    '"shippingAddress":{"name":"Load Test","line1":"1 Main St","city":"Austin","region":"TX",' ..
    '"postalCode":"73301","country":"US"},"lines":[{"productId":"sku-ebook","quantity":1}]}', counter % 1000)
  return wrk.format(nil, nil, nil, body)
end
