//! Diagnostics, hover, definition and references on examples/basic.

mod common;

use common::Client;

#[test]
fn hover_answers_on_basic() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let web = root.join("group_data/webservers.toml");
    let hover = client.at("textDocument/hover", &web, 2, 2);
    println!("{}", hover["contents"]["value"].as_str().unwrap());
    let hosts = root.join("hosts.toml");
    let hover = client.at("textDocument/hover", &hosts, 5, 20);
    println!("{}", hover["contents"]["value"].as_str().unwrap());
    let hover = client.at("textDocument/hover", &hosts, 5, 2);
    println!("{}", hover["contents"]["value"].as_str().unwrap());
    println!("{}", client.at("textDocument/definition", &web, 2, 2));
    println!("{}", client.at("textDocument/references", &web, 2, 2));
    client.shut_down();
}
