//! Off-site: encrypt, stage and upload to a real `rclone serve sftp`, and `rota
//! decrypt`.

mod apply;
mod decrypt;
mod rclone;
